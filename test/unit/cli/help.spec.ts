/** Every command's and subcommand's --help describes every option it takes, with its default or that it is required. */
import { cli } from './run-cli';

const COMMANDS = [['simulate'], ['assess'], ['generate'], ['scenario', 'check'], ['scenario', 'load']];

/** The option rows of a help text: `--name VALUE   what it means (default: ...)`. */
function optionRows(help: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of help.split('\n')) {
    const m = /^ {2}(?:-h, )?--([a-z-]+)(?: \S+)?\s{2,}(.*)$/.exec(line);
    if (m) rows.set(m[1], m[2]);
  }
  return rows;
}

describe('CLI help', () => {
  it.each(COMMANDS)('%s %s: every option has a description with its default (or is required)', async (...command) => {
    const r = await cli([...command.filter(Boolean), '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: spillover ${command.filter(Boolean).join(' ')}`));
    const rows = optionRows(r.out);
    expect(rows.get('help')).toBe('print this help');
    for (const [name, text] of rows) {
      if (name === 'help') continue;
      expect({ name, described: text.length > 10 }).toEqual({ name, described: true });
      expect({ name, text }).toEqual({ name, text: expect.stringMatching(/\(default: .+\)$|required/) });
    }
  });

  it('explains the options the issue named: --forward, --full, --method', async () => {
    const assess = optionRows((await cli(['assess', '--help'])).out);
    expect(assess.get('forward')).toMatch(/no calibration.*\(default: off/);
    expect(assess.get('full')).toMatch(/whole result.*\(default: off\)/);
    const simulate = optionRows((await cli(['simulate', '--help'])).out);
    expect(simulate.get('method')).toMatch(/percolation.*cascade.*\(default: /);
    expect([...simulate.keys()]).toEqual(expect.arrayContaining(['graph', 'edges', 'format', 'model', 'transmissibility', 'rate', 'recovery', 'seeds', 'runs', 'seed', 'threads', 'times', 'full-data']));
  });

  it('lists every command at the top and every scenario subcommand', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    for (const name of ['simulate', 'assess', 'generate', 'scenario']) expect(top.out).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
    const scenario = await cli(['scenario', '--help']);
    expect(scenario.out).toMatch(/^ {2}check +validate/m);
    expect(scenario.out).toMatch(/^ {2}load +write/m);
  });
});
