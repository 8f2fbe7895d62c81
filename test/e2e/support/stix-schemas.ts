/**
 * The OASIS STIX 2.1 JSON schemas (test/fixtures/stix/schemas, copied from
 * oasis-open/cti-stix2-json-schemas) compiled with ajv: `stixProblems(object)` lists what the
 * schema of the object's type refuses (bundles, SDOs, SROs, marking definitions).
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../fixtures/stix/schemas');

function load(): { ajv: Ajv2020; ids: Map<string, string> } {
  // The schemas' patterns are ECMA-262 without the u flag (e.g. `\-`).
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('idn-hostname', true);
  const ids = new Map<string, string>();
  for (const dir of readdirSync(ROOT)) {
    for (const file of readdirSync(join(ROOT, dir))) {
      const schema = JSON.parse(readFileSync(join(ROOT, dir, file), 'utf8'));
      ajv.addSchema(schema);
      ids.set(`${dir}/${file.replace(/\.json$/, '')}`, schema.$id);
    }
  }
  return { ajv, ids };
}

let compiled: ReturnType<typeof load> | null = null;

/** The schema violations of one STIX object or bundle, as `type id: path message` lines. */
export function stixProblems(object: any): string[] {
  compiled ??= load();
  const { ajv, ids } = compiled;
  const type = String(object?.type);
  const key = ['bundle', 'marking-definition', 'extension-definition'].includes(type) ? `common/${type}`
    : (['sdos', 'sros', 'observables'].map((dir) => `${dir}/${type}`).find((k) => ids.has(k)) ?? null);
  if (!key) return [`${type} ${object?.id}: no OASIS schema for this type`];
  const validate = ajv.getSchema(ids.get(key)!)!;
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${type} ${object?.id}: ${e.instancePath} ${e.message}`);
}

/**
 * The violations of a bundle and of every object in it: the envelope is checked on its own
 * (the bundle schema's any-of-every-type error list says nothing useful), each object by its type.
 */
export function bundleProblems(bundle: any): string[] {
  const objects: any[] = bundle.objects ?? [];
  return [...stixProblems({ ...bundle, objects: objects.slice(0, 1) }), ...objects.flatMap((o) => stixProblems(o))];
}
