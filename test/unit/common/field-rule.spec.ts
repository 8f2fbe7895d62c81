import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { FieldRule, FieldCheck } from '../../../src/common/http/field-rule.decorator';
import { flattenValidationErrors } from '../../../src/common/errors/validation';
import { CreateReportDto } from '../../../src/reports/dto/report.dto';

/** A rule of a nested value: its details name paths below the property. */
const range: FieldCheck = (v, errors) => {
  const r = v as { low?: unknown; high?: unknown };
  if (typeof r.low !== 'number') errors.push({ field: 'span.low', rule: 'isNumber', message: 'span.low must be a number' });
  if (typeof r.low === 'number' && typeof r.high === 'number' && r.low > r.high) errors.push({ field: 'span', rule: 'order', message: 'low above high' });
};

class Listed {
  @FieldRule(range, ['isNumber', 'order']) span: unknown;
}

class Unlisted {
  @FieldRule(range) span: unknown;
}

async function details(type: new () => object, body: object) {
  return flattenValidationErrors(await validate(plainToInstance(type, body), { validationError: { target: true } }));
}

describe('FieldRule', () => {
  it('carries each detail of the rule, with its own field path and rule name, to the error list', async () => {
    expect(await details(Listed, { span: { high: 1 } })).toEqual([{ field: 'span.low', rule: 'isNumber', message: 'span.low must be a number' }]);
    expect(await details(Listed, { span: { low: 2, high: 1 } })).toEqual([{ field: 'span', rule: 'order', message: 'low above high' }]);
    expect(await details(Listed, { span: { low: 1, high: 2 } })).toEqual([]);
  });

  it('without listed rule names, reports every rule the check finds', async () => {
    expect(await details(Unlisted, { span: { high: 1 } })).toEqual([{ field: 'span.low', rule: 'isNumber', message: 'span.low must be a number' }]);
  });

  it('gives a report body the nested paths of the report rules', async () => {
    const found = await details(CreateReportDto, {
      weaponId: 'notpetya', entityId: 'maersk', observedAt: '2017-06-27T10:15:00Z', status: 'confirmed',
      lossUsd: { low: 5, high: 1, mid: 3 }, externalReferences: [{ source_name: 'x', url: 'ftp://x' }],
    });
    expect(found.map((d) => `${d.field}:${d.rule}`).sort()).toEqual(['externalReferences[0].url:isUrl', 'lossUsd.mid:unknownProperty', 'lossUsd:order']);
    const inline = await details(CreateReportDto, { weaponId: 'notpetya', observedAt: '2017-06-27T10:15:00Z', status: 'confirmed', entity: { id: 'x1', name: 'X', country: 'ZZ' } });
    expect(inline.map((d) => `${d.field}:${d.rule}`)).toEqual(['entity.country:isoCountry']);
  });
});
