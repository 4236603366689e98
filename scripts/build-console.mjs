// Builds the web console (public/) into dist/public/: index.html + assets/ with content-hashed
// names, OpenLayers' CSS bundled into ours, and the world-atlas 1:110m countries as the basemap.
// Everything the page loads comes from its own origin; sizes (raw and gzip) are reported.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

export async function buildConsole(root, outdir) {
  const out = join(outdir, 'public');
  const assets = join(out, 'assets');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await esbuild.build({
    entryPoints: [join(root, 'public/main.tsx')],
    bundle: true,
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    format: 'esm',
    // The map (OpenLayers) is a chunk of its own, loaded by the views that show one.
    splitting: true,
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    legalComments: 'none',
    // shapefile's .dbf reader requires the text-encoding polyfill; browsers have TextDecoder.
    alias: { 'text-encoding': join(root, 'scripts/text-encoding-shim.cjs') },
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const entry = Object.entries(result.metafile.outputs).find(([p, o]) => o.entryPoint && p.endsWith('.js'));
  const js = entry && join(root, entry[0]);
  const css = entry?.[1].cssBundle && join(root, entry[1].cssBundle);
  const tags = [css && `<link rel="stylesheet" href="assets/${basename(css)}">`, js && `<script type="module" src="assets/${basename(js)}"></script>`].filter(Boolean).join('\n');
  const html = readFileSync(join(root, 'public/index.html'), 'utf8').replace('<!--assets-->', tags);
  writeFileSync(join(out, 'index.html'), html);
  copyFileSync(join(root, 'node_modules/world-atlas/countries-110m.json'), join(assets, 'countries-110m.json'));
  return consoleSizes(out);
}

/** Raw and gzip bytes of what the first page load transfers (every file but source maps). */
export function consoleSizes(out) {
  const files = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!e.name.endsWith('.map')) files.push({ file: relative(out, p), bytes: statSync(p).size, gzip: gzipSync(readFileSync(p), { level: 9 }).length });
    }
  };
  walk(out);
  return { files, bytes: files.reduce((a, f) => a + f.bytes, 0), gzip: files.reduce((a, f) => a + f.gzip, 0) };
}
