import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository root: the nearest folder above `from` holding package.json. Works from src/
 * (ts-node, jest) and from dist/src/ (the built app) alike.
 */
export function repoRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${from}`);
    dir = up;
  }
}

/** The folder of the bundled scenario fixtures (`<repo>/fixtures`). */
export const fixturesDir = (): string => join(repoRoot(), 'fixtures');
