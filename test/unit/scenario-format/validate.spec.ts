import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkScenario, readScenario, ScenarioError, writeScenario, type ScenarioData } from '../../../src/scenario-format';
import { checkReport } from '../../../src/scenario-format/validate';
import { checkDependency } from '../../../src/domain/rules/dependency';
import { checkEntity, resolveProtected } from '../../../src/domain/rules/entity';
import type { RowError } from '../../../src/domain/rules/fields';
import { checkRange } from '../../../src/domain/rules/range';
import { checkWeapon } from '../../../src/domain/rules/weapon';
import type { WeaponRecord } from '../../../src/domain/records';

const weapon: WeaponRecord = {
  id: 'w1',
  name: 'Test worm',
  payload: 'wiper',
  vectors: { network: { transmissibility: { low: 0.1, high: 0.5 }, delayHours: { low: 0.5, high: 4 } } },
  requiredTags: ['windows'],
  targeting: { entityIds: ['a'], countries: ['UA'] },
  impact: { hostShare: { low: 0.2, high: 0.9 }, costPerHostUsd: { low: 500, high: 3000 }, downtimeDays: { low: 2, high: 10 } },
  containmentHours: { low: 2, high: 24 },
};

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'scn-'));
  const base: Record<string, string> = {
    'scenario.json': JSON.stringify({ id: 's1', title: 'T', weaponId: 'w1', asOf: '2017-06-28T00:00:00Z', horizonHours: 48, synthetic: true, sources: ['x'] }),
    'entities.csv': 'id,name,kind,parentId,country,sector,hosts,dailyValueUsd,populationServed,tags,protected\na,A,organization,,UA,energy,10,100,5,windows,\nb,B,site,a,uk,,3,0,0,,false\n',
    'dependencies.csv': 'sourceId,targetId,kind,weight,bidirectional\na,b,network,0.5,true\n',
    'weapon.json': JSON.stringify(weapon),
    'reports.json': JSON.stringify([{ weaponId: 'w1', entityId: 'a', observedAt: '2017-06-27T10:00:00Z', status: 'confirmed', tlp: 'clear' }]),
    'README.md': '# test\n',
  };
  for (const [f, text] of Object.entries({ ...base, ...files })) if (text !== '') writeFileSync(join(dir, f), text);
  return dir;
}

const rulesOf = (errors: RowError[]) => errors.map((e) => `${e.row ?? '-'}:${e.field}:${e.rule}`);

describe('checkEntity', () => {
  it('normalises country, tags, kind and protected', () => {
    const errors: RowError[] = [];
    const e = checkEntity({ id: 'x', name: ' X ', country: 'EL', sector: 'Energy', tags: ' Windows ;smbv1;windows;', hosts: '12', protected: '' }, 1, errors, true);
    expect(errors).toEqual([]);
    expect(e).toMatchObject({ id: 'x', name: 'X', kind: 'organization', country: 'GR', sector: 'energy', tags: ['windows', 'smbv1'], hosts: 12, protected: true });
  });
  it('uses the protection defaults: protected sectors and csirt kind, overridable', () => {
    expect(resolveProtected('healthcare-and-public-health', 'organization')).toBe(true);
    expect(resolveProtected('financial-services', 'csirt')).toBe(true);
    expect(resolveProtected('financial-services', 'organization')).toBe(false);
    expect(resolveProtected('energy', 'site', false)).toBe(false);
    expect(resolveProtected(null, 'site', true)).toBe(true);
  });
  it('lists every broken field of a row, not just the first', () => {
    const errors: RowError[] = [];
    const e = checkEntity(
      { id: 'Bad Id', name: '', kind: 'castle', country: 'ZZ', sector: 'outer-space', hosts: '-1', dailyValueUsd: 'NaN', populationServed: '1.5', tags: 'ok;Not A Tag', protected: 'maybe' },
      7, errors, true,
    );
    expect(e).toBeNull();
    expect(rulesOf(errors)).toEqual([
      '7:id:slug', '7:name:required', '7:kind:isIn', '7:country:isoCountry', '7:sector:isIn', '7:hosts:min',
      '7:dailyValueUsd:isNumber', '7:populationServed:isInt', '7:tags:tag', '7:protected:isBoolean',
    ]);
  });
  it('refuses NaN, Infinity and strings as numbers in JSON input, and unknown properties', () => {
    const errors: RowError[] = [];
    checkEntity({ id: 'x', name: 'X', hosts: NaN, dailyValueUsd: Infinity, populationServed: '5', color: 'red' }, 1, errors);
    expect(rulesOf(errors)).toEqual(['1:color:unknownProperty', '1:hosts:isNumber', '1:dailyValueUsd:isNumber', '1:populationServed:isNumber']);
  });
  it('refuses an entity that is its own parent', () => {
    const errors: RowError[] = [];
    checkEntity({ id: 'x', name: 'X', parentId: 'x' }, 3, errors);
    expect(rulesOf(errors)).toEqual(['3:parentId:cycle']);
  });
});

describe('checkDependency', () => {
  it('checks self-loops, kind, weight and bidirectional', () => {
    const errors: RowError[] = [];
    checkDependency({ sourceId: 'a', targetId: 'a', kind: 'telepathy', weight: '1.5', bidirectional: 'sometimes' }, 2, errors, true);
    expect(rulesOf(errors)).toEqual(['2:targetId:selfLoop', '2:kind:isIn', '2:weight:range', '2:bidirectional:isBoolean']);
    const e2: RowError[] = [];
    checkDependency({ sourceId: 'a', targetId: 'b', kind: 'network', weight: 'NaN' }, 3, e2, true);
    checkDependency({ sourceId: 'a', targetId: 'b', kind: 'network', weight: -0.1 }, 4, e2);
    checkDependency({ sourceId: 'a', targetId: 'b', kind: '' }, 5, e2);
    expect(rulesOf(e2)).toEqual(['3:weight:isNumber', '4:weight:range', '5:kind:required', '5:weight:required']);
  });
});

describe('checkRange and checkWeapon', () => {
  it('refuses low > high, out-of-bounds and missing ends', () => {
    const errors: RowError[] = [];
    checkRange({ low: 0.9, high: 0.1 }, 'r', { min: 0, max: 1 }, errors);
    checkRange({ low: -1, high: 2 }, 's', { min: 0, max: 1 }, errors);
    checkRange({ low: 1 }, 't', {}, errors);
    checkRange({ low: 0, high: 1 }, 'u', { min: 0, positive: true }, errors);
    expect(rulesOf(errors)).toEqual(['-:r:order', '-:s.low:range', '-:s.high:range', '-:t.high:required', '-:u.low:range']);
  });
  it('lists every weapon problem with dotted paths', () => {
    const errors: RowError[] = [];
    const w = checkWeapon(
      {
        id: 'w', name: 'W', payload: 'confetti',
        vectors: { network: { transmissibility: { low: 0.5, high: 1.2 }, delayHours: { low: 5, high: 1 } }, teleport: {} },
        requiredTags: ['Windows', 'bad tag'],
        targeting: { entityIds: ['nobody'], countries: ['UK', 'QQ'], sectors: ['energy', 'outer-space'] },
        impact: { hostShare: { low: 0, high: 0.5 }, costPerHostUsd: { low: 1, high: 2 }, downtimeDays: { low: 1, high: 2 } },
        killSwitchAt: 'yesterday',
      },
      errors,
      { entities: new Set(['a']) },
    );
    expect(w).toBeNull();
    expect(rulesOf(errors)).toEqual([
      '-:payload:isIn', '-:vectors.network.transmissibility.high:range', '-:vectors.network.delayHours:order', '-:vectors.teleport:isIn',
      '-:requiredTags[1]:tag', '-:targeting.entityIds[0]:reference', '-:targeting.countries[1]:isoCountry', '-:targeting.sectors[1]:isIn',
      '-:impact.hostShare.low:range', '-:killSwitchAt:isDateTime',
    ]);
  });
  it('normalises a good weapon', () => {
    const errors: RowError[] = [];
    const w = checkWeapon({ ...weapon, targeting: { countries: ['uk'] }, killSwitchAt: '2017-05-12T15:03:00Z' }, errors);
    expect(errors).toEqual([]);
    expect(w!.targeting).toEqual({ countries: ['GB'] });
    expect(w!.killSwitchAt).toBe('2017-05-12T15:03:00.000Z');
  });
});

describe('checkReport', () => {
  it('checks references, dates, statuses, counts, confidence, TLP and loss ranges', () => {
    const errors: RowError[] = [];
    checkReport(
      { weaponId: 'w9', entityId: 'ghost', observedAt: '2017-06-27', status: 'panicking', hostsAffected: -3, lossUsd: { low: 5, high: 1 }, confidence: 101, tlp: 'purple' },
      4, errors, { entities: new Set(['a']), weapons: new Set(['w1']) },
    );
    expect(rulesOf(errors)).toEqual([
      '4:weaponId:reference', '4:entityId:reference', '4:observedAt:isDateTime', '4:status:isIn', '4:hostsAffected:min', '4:lossUsd:order',
      '4:confidence:max', '4:tlp:isIn',
    ]);
  });
});

describe('readScenario', () => {
  it('reads a good folder and normalises it', async () => {
    const data = await readScenario(folder({}));
    expect(data.entities).toHaveLength(2);
    expect(data.entities[1]).toMatchObject({ id: 'b', parentId: 'a', country: 'GB', protected: false, tags: [] });
    expect(data.entities[0].protected).toBe(true);
    expect(data.dependencies).toEqual([{ sourceId: 'a', targetId: 'b', kind: 'network', weight: 0.5, bidirectional: true }]);
    expect(data.reports[0].observedAt).toBe('2017-06-27T10:00:00.000Z');
    expect(data.readme).toBe('# test\n');
  });

  it('lists every problem of every file with file, row, field and rule', async () => {
    const dir = folder({
      'entities.csv': [
        'id,name,kind,parentId,country,sector,hosts,dailyValueUsd,populationServed,tags,protected',
        'a,A,organization,c,UA,energy,10,100,5,windows,', // 1: cycle a->c->b->a
        'b,B,site,a,UA,,1,1,1,,', // 2
        'c,C,site,b,UA,,1,1,1,,', // 3
        'a,Dup,site,,UA,,1,1,1,,', // 4: duplicate id
        'd,D,site,nobody,XX,,-5,NaN,1,,', // 5: dangling parent, country, negative, NaN
        'e,E,site,,UA,,1,1', // 6: wrong field count
        'f,F,site,,UA,,1,1,1,,', // 7: fine
      ].join('\n'),
      'dependencies.csv': [
        'sourceId,targetId,kind,weight,bidirectional',
        'a,b,network,0.5,', // 1
        'a,a,network,0.5,', // 2 self-loop
        'a,ghost,email,0.5,', // 3 dangling target
        'a,b,network,0.7,', // 4 duplicate of 1
        'a,b,email,2,', // 5 weight
        'b,f,network,0.3,', // 6 fine
      ].join('\n'),
      'reports.json': JSON.stringify([
        { weaponId: 'w1', entityId: 'a', observedAt: '2017-06-27T10:00:00Z', status: 'confirmed', tlp: 'clear' },
        { weaponId: 'w2', entityId: 'zz', observedAt: '2017-06-27T10:00:00Z', status: 'confirmed', tlp: 'clear' },
      ]),
      'weapon.json': JSON.stringify({ ...weapon, targeting: { entityIds: ['missing'] } }),
    });
    let err: ScenarioError | undefined;
    try {
      await readScenario(dir);
    } catch (e) {
      err = e as ScenarioError;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    const got = err!.problems.map((p) => `${p.file}:${p.row ?? '-'}:${p.field}:${p.rule}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'entities.csv:5:country:isoCountry',
        'entities.csv:5:hosts:min',
        'entities.csv:5:dailyValueUsd:isNumber',
        'entities.csv:6:row:columns',
        'entities.csv:4:id:duplicate',
        'entities.csv:5:parentId:reference',
        'entities.csv:1:parentId:cycle',
        'entities.csv:2:parentId:cycle',
        'entities.csv:3:parentId:cycle',
        'dependencies.csv:2:targetId:selfLoop',
        'dependencies.csv:3:targetId:reference',
        'dependencies.csv:4:targetId:duplicate',
        'dependencies.csv:5:weight:range',
        'weapon.json:-:targeting.entityIds[0]:reference',
        'reports.json:2:weaponId:reference',
        'reports.json:2:entityId:reference',
      ]),
    );
    expect(got).toHaveLength(16);
    expect(err!.message).toMatch(/16 problems/);
    rmSync(dir, { recursive: true });
  });

  it('reports header problems, missing files, bad JSON, scenario.json fields and a weaponId mismatch', async () => {
    const dir = folder({
      'entities.csv': 'id,nom,kind\na,A,site\n',
      'dependencies.csv': '',
      'weapon.json': '{"id": "w1",',
      'scenario.json': JSON.stringify({ id: 'S 1', title: '', weaponId: 'w1', asOf: 'soon', horizonHours: -1, synthetic: 'yes' }),
      'README.md': '',
    });
    const { data, problems } = await checkScenario(dir);
    expect(data).toBeNull();
    const got = problems.map((p) => `${p.file}:${p.row ?? '-'}:${p.field}:${p.rule}`);
    expect(got).toEqual(
      expect.arrayContaining([
        'scenario.json:-:id:slug', 'scenario.json:-:title:required', 'scenario.json:-:asOf:isDateTime', 'scenario.json:-:horizonHours:min',
        'scenario.json:-:synthetic:isBoolean', 'README.md:-:README.md:required', 'entities.csv:0:nom:unknownColumn',
        'entities.csv:0:name:missingColumn', 'dependencies.csv:-:dependencies.csv:required', 'weapon.json:-:weapon.json:json',
      ]),
    );
  });

  it('reports CSV syntax errors with their row', async () => {
    const dir = folder({ 'dependencies.csv': 'sourceId,targetId,kind,weight\na,b,network,0.5\na,b,"network"x,1\n' });
    const { problems } = await checkScenario(dir);
    expect(problems.map((p) => `${p.file}:${p.row}:${p.rule}`)).toEqual(['dependencies.csv:2:csv']);
  });

  it('round-trips through writeScenario', async () => {
    const data = await readScenario(folder({}));
    const out = mkdtempSync(join(tmpdir(), 'scn-out-'));
    const withOdd: ScenarioData = {
      ...data,
      entities: [...data.entities, { id: 'c', name: 'Name, "quoted"\nline', kind: 'site', parentId: 'a', country: 'GR', sector: 'energy', hosts: 1, dailyValueUsd: 0.5, populationServed: 0, tags: ['x', 'y'], protected: false }],
    };
    writeScenario(out, withOdd);
    const back = await readScenario(out);
    expect(back.entities).toEqual(withOdd.entities);
    expect(back.dependencies).toEqual(data.dependencies);
    expect(back.weapon).toEqual(data.weapon);
    expect(back.reports).toEqual(data.reports);
  });
});
