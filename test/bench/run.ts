/**
 * `npm run bench`: runs every `*.bench.ts` in this folder (or those named on the command line)
 * in its own process, `--repeat N` times each (default 3, or BENCH_REPEAT), one after the other.
 * Each run's own output is shown with the machine's load before it; then every figure the bench
 * printed is summarised as `median [min..max]` over the runs, because one run on a shared
 * machine is not a figure. Benchmarks print; they do not assert timing.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { median } from '../support/median';

const argv = process.argv.slice(2);
const repeatAt = argv.indexOf('--repeat');
const repeat = Number(repeatAt >= 0 ? argv[repeatAt + 1] : (process.env.BENCH_REPEAT ?? 3));
const only = repeatAt >= 0 ? argv.filter((_, i) => i !== repeatAt && i !== repeatAt + 1) : argv;
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat must be a whole number >= 1');

const files = readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

// A decimal with optional thousands separators ("20,000") and exponent; JSON arrays of bare integers
// ("[1,2]") are not thousands, so a group after a comma must have exactly three digits.
const NUMBER = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g;

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** Rounds a median to the decimals the bench itself printed, so summaries read like its output. */
function like(sample: string, x: number): string {
  const decimals = (sample.split('.')[1] ?? '').replace(/e.*/, '').length;
  const s = x.toFixed(decimals);
  return sample.includes(',') ? Number(s).toLocaleString('en-US', { minimumFractionDigits: decimals }) : s;
}

/** Lines keyed by their text with numbers blanked and their occurrence, so runs line up. */
function figures(out: string): Map<string, string[]> {
  const seen = new Map<string, number>();
  const lines = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    if (!line.trim()) continue;
    const template = line.replace(NUMBER, '#');
    const k = (seen.get(template) ?? 0) + 1;
    seen.set(template, k);
    lines.set(`${template}\u0000${k}`, line.match(NUMBER) ?? []);
  }
  return lines;
}

function summarise(runs: string[]): string[] {
  const parsed = runs.map(figures);
  const out: string[] = [];
  for (const [key, first] of parsed[0]) {
    const all = parsed.map((p) => p.get(key));
    if (first.length === 0 || all.some((n) => !n || n.length !== first.length)) continue;
    let i = 0;
    out.push(
      key.split('\u0000')[0].replace(/#/g, () => {
        const texts = all.map((n) => n![i]);
        i++;
        if (texts.every((t) => t === texts[0])) return texts[0];
        const xs = texts.map((t) => Number(t.replace(/,/g, '')));
        return `${like(texts[0], median(xs))} [${like(texts[0], Math.min(...xs))}..${like(texts[0], Math.max(...xs))}]`;
      }),
    );
  }
  return out;
}

let failed = 0;
for (const file of files) {
  const outputs: string[] = [];
  for (let run = 1; run <= repeat; run++) {
    process.stdout.write(`\n## ${file}, run ${run}/${repeat}, load average ${load()} (1, 5, 15 min)\n`);
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', join(__dirname, file)], {
      stdio: ['inherit', 'pipe', 'inherit'],
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    process.stdout.write(r.stdout);
    if (r.status !== 0) {
      failed++;
      break;
    }
    outputs.push(r.stdout);
  }
  if (outputs.length === repeat && repeat > 1) {
    process.stdout.write(`\n## ${file}: median [min..max] of ${repeat} runs, load average after ${load()}\n`);
    for (const line of summarise(outputs)) process.stdout.write(`${line}\n`);
  }
}
process.exit(failed ? 1 : 0);
