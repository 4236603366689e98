/**
 * A copy of the built bundles in a temporary dist/ (node_modules linked), so a test decides what
 * its dist/public holds — the console's build, a made-up one, or none — without touching the
 * shared dist/ the other suites run. The server finds dist/public beside its bundle, as in a release.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/service.js';

const BUNDLE_FILES = ['subsetd.cjs', 'worker.cjs', 'worker.js', 'h5wasm.cjs', 'package.json', 'world-atlas'];

export interface BundleCopy {
  dir: string;
  cli: string;
  publicDir: string;
  cleanup(): void;
}

/** `files`: paths below dist/public and their content; null: no dist/public at all. */
export function bundleWithPublic(files: Record<string, string | Buffer> | null): BundleCopy {
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-console-'));
  const dist = join(dir, 'dist');
  mkdirSync(dist);
  for (const f of BUNDLE_FILES) cpSync(join(ROOT, 'dist', f), join(dist, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const publicDir = join(dist, 'public');
  if (files)
    for (const [p, content] of Object.entries(files)) {
      mkdirSync(join(publicDir, p, '..'), { recursive: true });
      writeFileSync(join(publicDir, p), content);
    }
  return { dir, cli: join(dist, 'subsetd.cjs'), publicDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

/** The two tags the server fills in. */
export function baseAndMeta(html: string): { base: string | undefined; api: string | undefined } {
  return {
    base: /<base\s+href="([^"]*)"/.exec(html)?.[1],
    api: /<meta\s+name="subsetd-api"\s+content="([^"]*)"/.exec(html)?.[1],
  };
}
