import { ValidationError } from 'class-validator';
import { DomainError, ErrorDetail } from './domain-error';

/** class-validator's constraint names, renamed where the original says little to a client. */
const RULE_NAMES: Record<string, string> = { whitelistValidation: 'unknownProperty', nestedValidation: 'nested' };

/** Flattens class-validator's error tree into one detail per broken rule, with dotted field paths. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  for (const error of errors) {
    const field = prefix ? (/^\d+$/.test(error.property) ? `${prefix}[${error.property}]` : `${prefix}.${error.property}`) : error.property;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
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
