/**
 * The deployment recipe's processes, for the scale bench and the worker-process tests: reads
 * docs/deploy/Procfile and spillover.env and starts process types as separate OS processes,
 * keeping their log lines and peak RSS.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '../..');
const DEPLOY = join(ROOT, 'docs/deploy');

/** `<type>: <command>` lines of docs/deploy/Procfile. */
export function procfile(path = join(DEPLOY, 'Procfile')): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([a-z][a-z0-9_-]*):\s*(.+)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].split(/\s+/);
  }
  return out;
}

/**
 * A Procfile command as it runs from a build (`npm run build`), as the Procfile's comment says:
 * `node -r @swc-node/register src/x.ts` becomes `node dist/src/x.js`.
 */
export function fromBuild(command: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < command.length; i++) {
    if (command[i] === '-r' && command[i + 1] === '@swc-node/register') i++;
    else out.push(command[i].replace(/^src\/(.+)\.ts$/, 'dist/src/$1.js'));
  }
  return out;
}

/** `NAME=value` lines of docs/deploy/spillover.env (comments and blank lines skipped). */
export function envFile(path = join(DEPLOY, 'spillover.env')): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Lines the process wrote to stdout (JSON logs), kept for the bench to read. */
  lines: string[];
  /** Highest resident set size seen, in MB (VmHWM from /proc, so it covers worker threads). */
  peakRssMb(): number;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function start(name: string, command: string[], env: Record<string, string>): Proc {
  const [exe, ...args] = command;
  const child = spawn(exe === 'node' ? process.execPath : exe, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  // BENCH_LOG_DIR=dir: each process's output also goes to dir/<name>.log (e.g. with --trace-gc in the Procfile).
  const logFile = process.env.BENCH_LOG_DIR ? join(process.env.BENCH_LOG_DIR, `${name}.log`) : null;
  child.stdout!.on('data', (b: Buffer) => {
    if (logFile) appendFileSync(logFile, b);
    const parts = (partial + b.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  child.stderr!.on('data', (b: Buffer) => process.stderr.write(`[${name}] ${b}`));
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 1000);
  timer.unref();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    name,
    child,
    lines,
    peakRssMb: () => (sample(), peak),
    async stop(signal = 'SIGTERM') {
      sample();
      clearInterval(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

/** Waits until `url` answers 200 (the process is up and its database reachable). */
export async function waitHealthy(url: string, proc: Proc, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name} did not become healthy at ${url}`);
}

/** Waits for a log line of the process matching `test`. */
export async function waitForLine(proc: Proc, test: (line: string) => boolean, timeoutMs = 120_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = proc.lines.find(test);
    if (hit) return hit;
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited with ${proc.child.exitCode}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name}: no such log line within ${timeoutMs} ms`);
}
