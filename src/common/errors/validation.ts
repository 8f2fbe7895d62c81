import { ValidationError } from 'class-validator';
import { DomainError, ErrorDetail } from './domain-error';
import { isFieldRuleContext } from '../http/field-rule.decorator';

/** class-validator's constraint names, renamed where the original says little to a client. */
const RULE_NAMES: Record<string, string> = { whitelistValidation: 'unknownProperty', nestedValidation: 'nested' };

/** `prefix.property`, or `prefix[i]` for an array index; a path of its own (`lossUsd.low`) appends as it is. */
const pathOf = (prefix: string, property: string) => (!prefix ? property : /^\d+$/.test(property) ? `${prefix}[${property}]` : `${prefix}.${property}`);

/** Flattens class-validator's error tree into one detail per broken rule, with dotted field paths. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = pathOf(prefix, error.property);
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      // A field rule's constraint stands for the details its check gives, each with its own path and rule.
      const context = error.contexts?.[rule];
      if (isFieldRuleContext(context) && error.target) {
        for (const d of context.details(error.value, error.target as Record<string, unknown>)) details.push({ field: pathOf(prefix, d.field), rule: d.rule, message: d.message });
        continue;
      }
      details.push({
        field,
        rule: RULE_NAMES[rule] ?? rule,
        message: rule === 'whitelistValidation' ? `property '${field}' is not allowed` : message,
      });
    }
    if (error.children?.length) details.push(...flattenValidationErrors(error.children, field));
  }
  return details;
}

export function validationExceptionFactory(errors: ValidationError[]): DomainError {
  const details = flattenValidationErrors(errors);
  const fields = [...new Set(details.map((d) => d.field))];
  return new DomainError('INVALID_INPUT', `invalid input: ${fields.join(', ')}`, details);
}
