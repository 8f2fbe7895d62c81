import 'reflect-metadata';
import { validate } from 'class-validator';
import { IsDateTime } from '../../../src/common/http/is-date-time.decorator';
import { isDateTime } from '../../../src/domain/date-time';

class Dated {
  @IsDateTime() at: unknown;
}

async function broken(at: unknown) {
  const d = Object.assign(new Dated(), { at });
  return (await validate(d)).flatMap((e) => Object.keys(e.constraints ?? {}).map((rule) => `${e.property}:${rule}`));
}

describe('IsDateTime', () => {
  it('accepts RFC 3339 date-times with an offset', async () => {
    for (const at of ['2017-06-28T12:00:00Z', '2017-06-28T12:00Z', '2017-06-28T14:00:00.123+02:00']) expect(await broken(at)).toEqual([]);
  });

  it('refuses a date alone, a missing offset, other ISO 8601 forms and impossible dates, naming field and rule', async () => {
    for (const at of ['2017-06-28', '2017-06-28T12:00:00', '2017-06-28T12:00:00+0200', '20170628T120000Z', '2017-02-30T12:00:00Z', 5, null]) {
      expect(await broken(at)).toEqual(['at:isDateTime']);
    }
  });
});

describe('isDateTime', () => {
  it('refuses days a month does not have and hour 24, which Date.parse rolls over', () => {
    for (const s of ['2017-02-29T00:00Z', '2017-04-31T00:00Z', '2017-06-28T24:00:00Z']) expect(isDateTime(s)).toBe(false);
    for (const s of ['2016-02-29T00:00Z', '2017-04-30T23:59:59.999Z', '2017-12-31T00:00:00-05:00']) expect(isDateTime(s)).toBe(true);
  });
});
