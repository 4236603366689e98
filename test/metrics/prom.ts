/**
 * Scrapes a /metrics URL: Prometheus's own parser (`promtool check metrics`) must accept the
 * text, and lint nothing of ours (prom-client's nodejs_*_total gauges are the library's naming);
 * then samples are read from it by name and labels.
 */
import { spawnSync } from 'node:child_process';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export class Scrape {
  readonly samples: Sample[];
  constructor(readonly text: string) {
    this.samples = [];
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
      if (!m) continue;
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
      this.samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
  }

  /** Declared (a labelled series appears only once it has a value, its TYPE line always). */
  has(name: string): boolean {
    return this.text.includes(`\n# TYPE ${name} `) || this.text.startsWith(`# TYPE ${name} `) || this.samples.some((s) => s.name === name);
  }

  /** A counter's or gauge's value, or a histogram's count, for the series with these labels (0 when absent). */
  value(name: string, labels: Record<string, string> = {}): number {
    const match = (s: Sample) => (s.name === name || s.name === `${name}_count`) && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && !('le' in s.labels);
    return this.samples.filter(match).reduce((a, s) => a + s.value, 0);
  }
}

export function promtoolCheck(text: string): void {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error) throw r.error;
  const problems = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() && !/^nodejs_\w+_total non-counter metrics should not have "_total" suffix$/.test(l.trim()));
  // 0: clean; 3: lint findings only (filtered above); anything else: Prometheus could not parse it.
  if (![0, 3].includes(r.status ?? -1) || problems.length) throw new Error(`promtool check metrics (exit ${r.status}):\n${problems.join('\n')}`);
}

export async function scrape(url: string, init: RequestInit = {}): Promise<Scrape> {
  const res = await fetch(url, init);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain; version=0.0.4')) throw new Error(`content type ${res.headers.get('content-type')}`);
  const text = await res.text();
  promtoolCheck(text);
  return new Scrape(text);
}
