#!/usr/bin/env node
// `npm run bench`: every bench/<area>/index.mjs in turn (never two at once: 2 cores), one table.
// Each area's default export returns { area, rows: [{ metric, value, unit, peer?, peerValue?, ratio?, target?, ok? }] }.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const only = process.argv.slice(2);
const areas = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, 'index.mjs')) && (!only.length || only.includes(d.name)))
  .map((d) => d.name)
  .sort();

const results = [];
for (const area of areas) {
  console.error(`== bench/${area}`);
  const t0 = Date.now();
  try {
    const { default: run } = await import(join(here, area, 'index.mjs'));
    results.push(await run());
  } catch (e) {
    results.push({ area, error: String(e?.stack ?? e) });
  }
  console.error(`   ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

const fmt = (v) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : (v ?? ''));
const lines = ['| area | metric | subsetd | peer | peer value | ratio | target | ok |', '|---|---|---|---|---|---|---|---|'];
for (const r of results) {
  if (r.error) {
    lines.push(`| ${r.area} | ERROR | ${r.error.split('\n')[0]} | | | | | ✗ |`);
    continue;
  }
  for (const row of r.rows)
    lines.push(`| ${r.area} | ${row.metric} | ${fmt(row.value)} ${row.unit ?? ''} | ${row.peer ?? ''} | ${row.peerValue === undefined ? '' : `${fmt(row.peerValue)} ${row.unit ?? ''}`} | ${row.ratio === undefined ? '' : `${fmt(row.ratio)}×`} | ${row.target ?? ''} | ${row.ok === undefined ? '' : row.ok ? '✓' : '✗'} |`);
}
const table = lines.join('\n');
console.log(table);
mkdirSync(join(here, 'out'), { recursive: true });
writeFileSync(join(here, 'out', 'results.json'), JSON.stringify({ when: new Date().toISOString(), results }, null, 2));
writeFileSync(join(here, 'out', 'results.md'), `${table}\n`);
if (results.some((r) => r.error)) process.exitCode = 1;
