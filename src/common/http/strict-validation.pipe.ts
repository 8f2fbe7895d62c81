import { ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { invalid } from '../errors/domain-error';
import { validationExceptionFactory } from '../errors/validation';
import { isFieldRuleContext } from './field-rule.decorator';

/** A number as a query string or a quoted JSON number must be written: decimal, no sign tricks, no hex, no exponent, no spaces. */
const DECIMAL = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const NUMERIC_RULES = new Set(['isInt', 'isNumber']);

/** A DTO class's validation facts the pipe checks before class-validator runs. */
interface ClassFacts {
  /** Validated by field rules (FieldRule): the body must be one JSON object. */
  fieldRules: boolean;
  /** Properties with a numeric rule (isInt, isNumber) that are not field rules. */
  numericFields: string[];
}

/**
 * The global ValidationPipe, stricter about numbers sent as strings: class-transformer's
 * `@Type(() => Number)` reads `0x10` as 16, `1e3` as 1000 and `' 5'` as 5. Here a string bound
 * for a numeric property must be plain decimal, or the request is a 400 naming the field.
 */
@Injectable()
export class StrictValidationPipe extends ValidationPipe {
  /** What the pipe needs of each DTO class's validation metadata, read once per class. */
  private readonly facts = new Map<Function, ClassFacts>();

  constructor() {
    // The target goes on each error so a field rule's details can be read off its record (never sent).
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true, exceptionFactory: validationExceptionFactory, validationError: { target: true } });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    // A body checked by field rules is one record: anything but an object is refused as the rules refuse it.
    if (metadata.type === 'body' && type && this.factsOf(type).fieldRules && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      throw invalid('invalid input: body', [{ field: 'body', rule: 'isObject', message: 'the body must be a JSON object' }]);
    }
    if (type && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const details = this.factsOf(type).numericFields
        .filter((field) => typeof (value as Record<string, unknown>)[field] === 'string' && !DECIMAL.test((value as Record<string, string>)[field]))
        .map((field) => ({ field, rule: 'isDecimal', message: `${field} must be a plain decimal number` }));
      if (details.length) throw invalid(`invalid input: ${details.map((d) => d.field).join(', ')}`, details);
    }
    return super.transform(value, metadata);
  }

  private factsOf(type: Function): ClassFacts {
    let facts = this.facts.get(type);
    if (!facts) {
      const rules = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
      facts = {
        fieldRules: rules.some((r) => isFieldRuleContext(r.context)),
        numericFields: [...new Set(rules.filter((r) => NUMERIC_RULES.has(r.name ?? '') && !isFieldRuleContext(r.context)).map((r) => r.propertyName))],
      };
      this.facts.set(type, facts);
    }
    return facts;
  }
}
