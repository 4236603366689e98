/**
 * A lock that is a directory: mkdir is atomic, so exactly one job creates it (no check-then-set).
 * The holder touches it while it works; a lock untouched for longer than its lease belonged to a
 * job that died (kill -9, lost node) and is taken over by renaming it away, which is atomic too:
 * of two jobs that both see it stale, one rename succeeds and the other retries.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface LockOptions {
  leaseMs?: number;
  signal?: AbortSignal;
  /** Called once when the lock is busy and we start waiting. */
  onWait?: (owner: string) => void;
  pollMs?: number;
}

export async function withDirLock<T>(lockDir: string, opts: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lease = opts.leaseMs ?? 60_000;
  const token = `${process.pid}-${randomBytes(6).toString('hex')}`;
  mkdirSync(dirname(lockDir), { recursive: true });
  let waited = false;
  for (;;) {
    opts.signal?.throwIfAborted();
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'owner'), token);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let age: number;
    try {
      age = Date.now() - statSync(lockDir).mtimeMs;
    } catch {
      continue; // released between our mkdir and stat
    }
    if (age > lease) {
      try {
        const away = `${lockDir}.stale-${token}`;
        renameSync(lockDir, away);
        rmSync(away, { recursive: true, force: true });
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    if (!waited) {
      waited = true;
      let owner = 'another job';
      try {
        owner = readFileSync(join(lockDir, 'owner'), 'utf8');
      } catch {
        /* not written yet */
      }
      opts.onWait?.(owner);
    }
    await delay(opts.pollMs ?? 200, undefined, { signal: opts.signal });
  }
  const touch = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(lockDir, now, now);
    } catch {
      /* taken over: we will notice at release */
    }
  }, Math.max(100, lease / 4));
  try {
    return await fn();
  } finally {
    clearInterval(touch);
    release(lockDir, token);
  }
}

function release(lockDir: string, token: string) {
  try {
    if (readFileSync(join(lockDir, 'owner'), 'utf8') !== token) return; // taken over after our lease expired
    const away = `${lockDir}.released-${token}`;
    renameSync(lockDir, away);
    rmSync(away, { recursive: true, force: true });
  } catch {
    /* already gone */
  }
}
