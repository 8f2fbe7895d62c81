/**
 * A single report runs the report rules once: the field rules of CreateReportDto check the body
 * and the writer takes that check; inputs that never went through the DTO (bulk rows, imports,
 * scenario loads) are checked by the writer.
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { flattenValidationErrors } from '../../../src/common/errors/validation';
import { CreateReportDto } from '../../../src/reports/dto/report.dto';
import { checkFiledBody, checkFiledReport, checkFiledReportOnce } from '../../../src/reports/report-rules';

const BODY = { weaponId: 'notpetya', entityId: 'maersk', observedAt: '2017-06-27T10:15:00Z', status: 'confirmed', lossUsd: { low: 1, high: 5 } };

async function validated(body: object): Promise<{ dto: CreateReportDto; details: ReturnType<typeof flattenValidationErrors> }> {
  const dto = plainToInstance(CreateReportDto, body);
  return { dto, details: flattenValidationErrors(await validate(dto, { validationError: { target: true } })) };
}

describe('report rules run once per single report', () => {
  it('the writer takes the check the field rules made of the body, once', async () => {
    const { dto, details } = await validated(BODY);
    expect(details).toEqual([]);
    const byRules = checkFiledBody(dto);
    const taken = checkFiledReportOnce(dto, 1, Date.now());
    expect(taken).toBe(byRules);
    expect(taken.value).toMatchObject({ weaponId: 'notpetya', entityId: 'maersk', lossLowUsd: 1, lossHighUsd: 5, tlp: 'amber' });
    // A second write of the same body (a retry alone after a refused group) checks it again.
    const again = checkFiledReportOnce(dto, 1, Date.now());
    expect(again).not.toBe(byRules);
    expect(again).toEqual(byRules);
  });

  it('checks inputs the field rules never saw (bulk rows), with their row numbers', () => {
    const row = { ...BODY, confidence: 300 };
    const checked = checkFiledReportOnce(row, 7, Date.now());
    expect(checked).toEqual(checkFiledReport(row, 7, Date.now()));
    expect(checked.errors).toEqual([expect.objectContaining({ field: 'confidence', row: 7 })]);
  });

  it('a body the field rules refused gives the same details as the rules themselves', async () => {
    const bad = { ...BODY, status: 'maybe', lossUsd: { low: 5, high: 1 } };
    const { dto, details } = await validated(bad);
    const direct = checkFiledReport(bad, undefined, Date.now()).errors;
    expect(details.map((d) => `${d.field}:${d.rule}:${d.message}`).sort()).toEqual(direct.map((d) => `${d.field}:${d.rule}:${d.message}`).sort());
    // Not taken as sound: the writer checks it again and finds the same.
    expect(checkFiledReportOnce(dto, undefined, Date.now()).errors).toEqual(direct);
  });
});
