import { registerDecorator, ValidationArguments } from 'class-validator';
import type { ErrorDetail } from '../errors/domain-error';

/** A field rule of src/domain/rules: appends what `value` breaks to `errors` (`record` is the whole body). */
export type FieldCheck = (value: unknown, errors: ErrorDetail[], row?: number, text?: boolean, record?: Record<string, unknown>) => unknown;

/**
 * The context of a field rule's constraint: the details it breaks for a value in a record, each
 * with its own field path (`lossUsd.low`, `externalReferences[0].url`) and rule name, which the
 * error formatter (common/errors/validation.ts) puts in the 400 body in place of the constraint.
 */
export interface FieldRuleContext {
  fieldRule: true;
  details(value: unknown, record: Record<string, unknown>): ErrorDetail[];
}

export const isFieldRuleContext = (context: unknown): context is FieldRuleContext => (context as FieldRuleContext | undefined)?.fieldRule === true;

/** The constraint name of a field rule whose rule names are not listed: it stands for all of them. */
const ANY_RULE = 'fieldRule';

/**
 * Validates a DTO property with a field rule of src/domain/rules. With `rules`, one
 * class-validator constraint per rule name the field can break; without, one constraint for
 * whatever the check finds. Either way the 400 names the fields and rules the check reports, with
 * its messages, as the bulk import and the scenario reader, which call the rule directly.
 */
export function FieldRule(check: FieldCheck, rules?: readonly string[]): PropertyDecorator {
  const broken = (value: unknown, record: Record<string, unknown>, rule: string) => {
    const errors: ErrorDetail[] = [];
    check(value, errors, undefined, false, record);
    return rule === ANY_RULE ? errors : errors.filter((e) => e.rule === rule);
  };
  return (target: object, propertyName: string | symbol) => {
    for (const rule of rules ?? [ANY_RULE]) {
      const context: FieldRuleContext = { fieldRule: true, details: (value, record) => broken(value, record, rule) };
      const of = (args: ValidationArguments) => broken(args.value, args.object as Record<string, unknown>, rule);
      registerDecorator({
        name: rule,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message: (args: ValidationArguments) => of(args).map((e) => e.message).join('; '), context },
        validator: { validate: (_value: unknown, args: ValidationArguments) => of(args).length === 0 },
      });
    }
  };
}
