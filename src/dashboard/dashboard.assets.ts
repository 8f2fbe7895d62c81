import { Injectable } from '@nestjs/common';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, sep } from 'node:path';

export interface DashboardAsset {
  path: string;
  type: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Where the page's files are: beside this module in src/ (tests) and dist/src/ (nest-cli copies them). */
export const PUBLIC_DIR = join(__dirname, 'public');

/** d3-hierarchy's browser (UMD) build from node_modules; the package's exports hide `dist/`, so resolve the entry and look beside it. */
export function d3HierarchyBrowserBuild(): string {
  const file = join(dirname(require.resolve('d3-hierarchy')), 'd3-hierarchy.min.js');
  if (!existsSync(file)) throw new Error(`dashboard: d3-hierarchy browser build not found at ${file}`);
  return file;
}

/**
 * The allow-list of files the dashboard serves, read once at start: URL path (relative to
 * `/dashboard/`) to file. Requests never reach the file system with a path of their own.
 */
@Injectable()
export class DashboardAssets {
  private readonly files = new Map<string, DashboardAsset>();

  constructor() {
    if (!existsSync(PUBLIC_DIR)) throw new Error(`dashboard: static files not found at ${PUBLIC_DIR}`);
    for (const file of walk(PUBLIC_DIR)) {
      const type = TYPES[extname(file)];
      if (type) this.files.set(relative(PUBLIC_DIR, file).split(sep).join('/'), { path: file, type });
    }
    this.files.set('vendor/d3-hierarchy.min.js', { path: d3HierarchyBrowserBuild(), type: TYPES['.js'] });
  }

  find(name: string): DashboardAsset | undefined {
    return this.files.get(name);
  }

  names(): string[] {
    return [...this.files.keys()].sort();
  }
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const file = join(dir, name);
    if (statSync(file).isDirectory()) yield* walk(file);
    else yield file;
  }
}
