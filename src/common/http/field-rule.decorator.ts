import { registerDecorator, ValidationArguments } from 'class-validator';
import type { ErrorDetail } from '../errors/domain-error';

/** A field rule of src/domain/rules: appends what `value` breaks to `errors` (`record` is the whole body). */
export type FieldCheck = (value: unknown, errors: ErrorDetail[], row?: number, text?: boolean, record?: Record<string, unknown>) => unknown;

/** Marks the constraints of field rules: they read their value as sent (numbers as strings are the rule's to judge). */
export const FIELD_RULE = { fieldRule: true } as const;

/**
 * Validates a DTO property with a field rule of src/domain/rules, one class-validator constraint
 * per rule name the field can break: the ValidationPipe then names the same rules, with the same
 * messages, as the bulk import and the scenario reader, which call the rule directly.
 */
export function FieldRule(check: FieldCheck, rules: readonly string[]): PropertyDecorator {
  const broken = (args: ValidationArguments, rule: string) => {
    const errors: ErrorDetail[] = [];
    check(args.value, errors, undefined, false, args.object as Record<string, unknown>);
    return errors.filter((e) => e.rule === rule);
  };
  return (target: object, propertyName: string | symbol) => {
    for (const rule of rules) {
      registerDecorator({
        name: rule,
        target: target.constructor,
        propertyName: propertyName as string,
        options: { message: (args: ValidationArguments) => broken(args, rule).map((e) => e.message).join('; '), context: FIELD_RULE },
        validator: { validate: (_value: unknown, args: ValidationArguments) => broken(args, rule).length === 0 },
      });
    }
  };
}
