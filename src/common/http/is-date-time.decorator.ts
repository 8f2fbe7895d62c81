import { ValidateBy, ValidationOptions } from 'class-validator';
import { isDateTime } from '../../domain/date-time';

/**
 * A date-time of the one grammar of client input (domain/date-time.ts): RFC 3339 with an explicit
 * offset, e.g. `2017-06-28T12:00:00Z`. A date alone or a time without offset is a 400 naming the
 * field and the rule `isDateTime`.
 */
export function IsDateTime(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDateTime',
      validator: {
        validate: (value: unknown) => isDateTime(value),
        defaultMessage: (args) => `${args?.property} must be an RFC 3339 date-time with offset, e.g. 2017-06-28T12:00:00Z`,
      },
    },
    options,
  );
}
