/**
 * JobStore contract, console part (issue 10): job events, the job log, the list's created-time
 * and free-text filters, and the admin figures. Called from contract.ts for every store.
 */
import { expect, it } from 'vitest';
import { LOG_MAX_LINES, LOG_MAX_MESSAGE, type JobEvent, type JobStore } from '../../src/stores/job-store.js';

const TTL = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `pred` holds (Redis delivers events asynchronously), or fails after `ms`. */
async function until(pred: () => boolean, ms = 2000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await sleep(5);
  }
}

export function consoleContract(getStore: () => JobStore) {
  const newJob = (over: Record<string, unknown> = {}) => ({ processId: 'sleep', inputs: { seconds: 1 }, maxAttempts: 2, ...over });

  it('events: every transition and progress change reaches subscribers, with statusInfo fields', async () => {
    const store = getStore();
    const seen: JobEvent[] = [];
    const off = store.subscribe((e) => seen.push(e));
    const of = (id: string) => seen.filter((e) => e.id === id);
    const a = (await store.create(newJob({ owner: 'alice' }))).job;
    await until(() => of(a.id).length === 1);
    expect(of(a.id)[0]).toMatchObject({ id: a.id, processId: 'sleep', status: 'accepted', progress: 0, created: a.created, owner: 'alice', started: null });
    await store.claim('w1', 60_000);
    await until(() => of(a.id).length === 2);
    expect(of(a.id)[1]).toMatchObject({ status: 'running' });
    expect(of(a.id)[1].started).toBeGreaterThan(0);
    await store.heartbeat(a.id, 'w1', 60_000, { percent: 40, message: 'reading' });
    await until(() => of(a.id).length === 3);
    expect(of(a.id)[2]).toMatchObject({ status: 'running', progress: 40, message: 'reading' });
    // A lease renewal without news is not an event; the same progress again is not either.
    await store.heartbeat(a.id, 'w1', 60_000);
    await store.heartbeat(a.id, 'w1', 60_000, { percent: 40, message: 'reading' });
    await store.heartbeat(a.id, 'w1', 60_000, { percent: 40, message: 'writing' });
    await until(() => of(a.id).length === 4);
    expect(of(a.id)[3].message).toBe('writing');
    await store.finish(a.id, 'w1', { status: 'successful', outputs: {} }, TTL);
    await until(() => of(a.id).length === 5);
    expect(of(a.id)[4]).toMatchObject({ status: 'successful', progress: 100 });
    expect(of(a.id)[4].finished).toBeGreaterThan(0);

    const b = (await store.create(newJob())).job;
    await store.claim('w1', 60_000);
    await store.release(b.id, 'w1', 'shutting down');
    await store.dismiss(b.id, TTL);
    await store.dismiss(b.id, TTL); // already dismissed: no change, no event
    await until(() => of(b.id).length === 4);
    expect(of(b.id).map((e) => e.status)).toEqual(['accepted', 'running', 'accepted', 'dismissed']);

    const c = (await store.create(newJob({ maxAttempts: 1 }))).job;
    await store.claim('w1', 1);
    await sleep(5);
    await store.sweepStalled(Date.now(), TTL);
    await until(() => of(c.id).length === 3);
    expect(of(c.id)[2]).toMatchObject({ status: 'failed' });
    off();
    const before = seen.length;
    await store.create(newJob());
    await sleep(100);
    expect(seen.length).toBe(before);
    expect(of(b.id)).toHaveLength(4);
  });

  it('events: a listener that throws does not break the store or other listeners', async () => {
    const store = getStore();
    const seen: string[] = [];
    const off1 = store.subscribe(() => {
      throw new Error('listener bug');
    });
    const off2 = store.subscribe((e) => seen.push(e.status));
    await store.create(newJob());
    await until(() => seen.length === 1);
    off1();
    off2();
  });

  it('log: lines append in order, read after an index, stay after dismissal, go with the purge', async () => {
    const store = getStore();
    const { job } = await store.create(newJob());
    const t = Date.now();
    await store.appendLog(job.id, [
      { time: t, level: 'info', message: 'started (attempt 1)' },
      { time: t + 1, level: 'info', message: 'reading', progress: 5 },
    ]);
    await store.appendLog(job.id, [{ time: t + 2, level: 'error', message: 'boom', retryable: false }]);
    expect(await store.readLog(job.id)).toEqual([
      { time: t, level: 'info', message: 'started (attempt 1)' },
      { time: t + 1, level: 'info', message: 'reading', progress: 5 },
      { time: t + 2, level: 'error', message: 'boom', retryable: false },
    ]);
    expect((await store.readLog(job.id, 1)).map((l) => l.message)).toEqual(['boom']);
    expect(await store.readLog(job.id, 2)).toEqual([]);
    expect(await store.readLog(job.id, 99)).toEqual([]);
    // Unknown jobs: nothing stored, nothing read, no error.
    await store.appendLog('nope', [{ time: t, level: 'info', message: 'x' }]);
    expect(await store.readLog('nope')).toEqual([]);
    await store.dismiss(job.id, 1);
    expect(await store.readLog(job.id)).toHaveLength(3);
    await sleep(10);
    expect(await store.purgeExpired(Date.now())).toContain(job.id);
    expect(await store.readLog(job.id)).toEqual([]);
    // A job created again under the same id starts with an empty log.
    const again = await store.create(newJob({ id: job.id }));
    expect(again.created).toBe(true);
    expect(await store.readLog(job.id)).toEqual([]);
  });

  it('log: capped in lines and message length', async () => {
    const store = getStore();
    const { job } = await store.create(newJob());
    const line = (i: number) => ({ time: i, level: 'info' as const, message: `line ${i}` });
    await store.appendLog(job.id, Array.from({ length: LOG_MAX_LINES - 1 }, (_, i) => line(i)));
    await store.appendLog(job.id, [line(-1), line(-2), line(-3)]);
    await store.appendLog(job.id, [{ time: 0, level: 'warn', message: 'x'.repeat(LOG_MAX_MESSAGE + 100) }]);
    const all = await store.readLog(job.id);
    expect(all).toHaveLength(LOG_MAX_LINES);
    expect(all.at(-1)!.message).toBe('line -1');
    const { job: j2 } = await store.create(newJob());
    await store.appendLog(j2.id, [{ time: 0, level: 'warn', message: 'x'.repeat(LOG_MAX_MESSAGE + 100) }]);
    expect((await store.readLog(j2.id))[0].message.length).toBeLessThanOrEqual(LOG_MAX_MESSAGE + 1);
  });

  it('lists by created time (inclusive bounds) and by text in the inputs; no total where it would need a scan', async () => {
    const store = getStore();
    const made = [];
    for (const [i, place] of ['Berlin', 'Potsdam', 'BERLIN-Mitte', 'Hamburg'].entries()) {
      made.push((await store.create(newJob({ processId: i % 2 ? 'hello-world' : 'sleep', inputs: { name: place, i } }))).job);
      await sleep(3);
    }
    const [a, b, c, d] = made;
    const ids = (r: { jobs: Array<{ id: string }> }) => r.jobs.map((j) => j.id);
    const between = await store.list({ createdFrom: b.created, createdTo: c.created, limit: 10, offset: 0 });
    expect(ids(between)).toEqual([c.id, b.id]);
    expect(between.total).toBeNull();
    expect(ids(await store.list({ createdFrom: c.created, limit: 10, offset: 0 }))).toEqual([d.id, c.id]);
    expect(ids(await store.list({ createdTo: a.created, limit: 10, offset: 0 }))).toEqual([a.id]);
    expect(ids(await store.list({ createdFrom: d.created + 1, limit: 10, offset: 0 }))).toEqual([]);
    expect(ids(await store.list({ createdFrom: a.created, processId: ['sleep'], limit: 10, offset: 0 }))).toEqual([c.id, a.id]);
    expect(ids(await store.list({ createdFrom: b.created, createdTo: d.created, status: ['accepted'], owner: undefined, limit: 1, offset: 1 }))).toEqual([c.id]);

    const berlin = await store.list({ q: 'berlin', limit: 10, offset: 0 });
    expect(berlin.total).toBeNull();
    expect(ids(berlin)).toEqual([c.id, a.id]);
    expect(berlin.next).toBeNull();
    const page1 = await store.list({ q: 'BeRlIn', limit: 1, offset: 0 });
    expect(ids(page1)).toEqual([c.id]);
    expect(page1.next).not.toBeNull();
    expect(ids(await store.list({ q: 'BeRlIn', limit: 1, offset: 0, after: page1.next! }))).toEqual([a.id]);
    expect(ids(await store.list({ q: 'BeRlIn', limit: 1, offset: 1 }))).toEqual([a.id]);
    expect(ids(await store.list({ q: '"name":"potsdam"', limit: 10, offset: 0 }))).toEqual([b.id]);
    expect(ids(await store.list({ q: 'berlin', processId: ['hello-world'], limit: 10, offset: 0 }))).toEqual([]);
    expect(ids(await store.list({ q: 'berlin', createdFrom: b.created, limit: 10, offset: 0 }))).toEqual([c.id]);
    expect(ids(await store.list({ q: 'nowhere', limit: 10, offset: 0 }))).toEqual([]);
    // Characters special to LIKE or Lua patterns are plain text.
    expect(ids(await store.list({ q: '%', limit: 10, offset: 0 }))).toEqual([]);
    expect(ids(await store.list({ q: '.*', limit: 10, offset: 0 }))).toEqual([]);
  });

  it('filters by duration: jobs that started, finished (or now) minus started; no total', async () => {
    const store = getStore();
    const ids = (r: { jobs: Array<{ id: string }> }) => r.jobs.map((j) => j.id);
    const quick = (await store.create(newJob({ inputs: { d: 1 } }))).job;
    expect((await store.claim('w', 60_000))!.id).toBe(quick.id);
    await store.finish(quick.id, 'w', { status: 'successful', outputs: {} }, 60_000);
    const slow = (await store.create(newJob({ inputs: { d: 2 } }))).job;
    expect((await store.claim('w', 60_000))!.id).toBe(slow.id);
    await store.create(newJob({ inputs: { d: 3 } })); // never starts: no duration
    await sleep(1100);
    const long = await store.list({ minDuration: 1000, limit: 10, offset: 0 });
    expect(ids(long)).toEqual([slow.id]);
    expect(long.total).toBeNull();
    expect(ids(await store.list({ maxDuration: 1000, limit: 10, offset: 0 }))).toEqual([quick.id]);
    expect(ids(await store.list({ minDuration: 0, limit: 10, offset: 0 }))).toEqual([slow.id, quick.id]);
    expect(ids(await store.list({ minDuration: 0, status: ['successful'], limit: 10, offset: 0 }))).toEqual([quick.id]);
    expect(ids(await store.list({ minDuration: 0, maxDuration: 1000, processId: ['sleep'], limit: 1, offset: 0, q: '"d":1' }))).toEqual([quick.id]);
  });

  it('activity: queue depth per process, ends per minute, latest failures', async () => {
    const store = getStore();
    for (const p of ['sleep', 'sleep', 'hello-world', 'sleep']) await store.create(newJob({ processId: p }));
    const x = (await store.claim('w1', 60_000))!;
    const y = (await store.claim('w1', 60_000))!;
    await store.finish(x.id, 'w1', { status: 'successful', outputs: {} }, TTL);
    await store.finish(y.id, 'w1', { status: 'failed', error: { message: 'no such file', retryable: false } }, TTL);
    const s = await store.activity(Date.now());
    expect(s.queue).toEqual({ 'hello-world': 1, sleep: 1 });
    expect(s.perMinute).toHaveLength(60);
    expect(s.perMinute.at(-1)!.minute).toBe(Math.floor(Date.now() / 60_000) * 60_000);
    expect(s.perMinute.reduce((n, m) => n + m.successful, 0)).toBe(1);
    expect(s.perMinute.reduce((n, m) => n + m.failed, 0)).toBe(1);
    expect(s.failures).toEqual([{ id: y.id, processId: y.processId, finished: expect.any(Number), message: 'no such file' }]);
    // A dismissal later does not rewrite the past counts, but the job is no longer a failure to show.
    await store.dismiss(x.id, TTL);
    const s2 = await store.activity(Date.now());
    expect(s2.perMinute.reduce((n, m) => n + m.successful, 0)).toBe(1);
  });
}
