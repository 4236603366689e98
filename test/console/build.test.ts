/**
 * The console's build: its TypeScript typechecks against the DOM (public/tsconfig.json, apart
 * from the Node project's), index.html carries no inline script or style (strict CSP), and what
 * the first page load transfers stays within the budget (1.5 MB compressed).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS script without types
import { consoleSizes } from '../../scripts/build-console.mjs';
import { ROOT } from '../helpers/service.js';

const PUBLIC = join(ROOT, 'dist/public');

describe('console build', () => {
  it('typechecks (public/tsconfig.json: DOM libs, Preact JSX)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'public/tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('index.html loads only hashed files from assets/, with no inline script or style', () => {
    const html = readFileSync(join(PUBLIC, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBe(1);
    expect(scripts[0]).toMatch(/src="assets\/main-[A-Z0-9]{8}\.js"/);
    expect(html).toMatch(/<link rel="stylesheet" href="assets\/main-[A-Z0-9]{8}\.css">/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('the first load is within 1.5 MB compressed', () => {
    const sizes = consoleSizes(PUBLIC) as { files: Array<{ file: string; bytes: number; gzip: number }>; bytes: number; gzip: number };
    for (const f of sizes.files) console.log(`${f.file}: ${(f.bytes / 1024).toFixed(1)} KiB, gzip ${(f.gzip / 1024).toFixed(1)} KiB`);
    console.log(`console total: ${(sizes.bytes / 1024).toFixed(1)} KiB, gzip ${(sizes.gzip / 1024).toFixed(1)} KiB`);
    expect(sizes.files.map((f) => f.file).sort()).toEqual(expect.arrayContaining(['index.html', 'assets/countries-110m.json']));
    expect(sizes.gzip).toBeLessThan(1.5e6);
  });
});
