/**
 * The worker thread's side of its GDAL child: started on first use, reused by later jobs of the
 * same thread (loading GDAL costs ~170 ms, more than a small clip), killed when a job using it
 * is aborted. A crash of the child fails only the requests it was serving.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PING_INTERVAL_MS, type ChildMessage, type ParentMessage } from './child-protocol.js';

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  progress?: (percent: number, message?: string) => void;
  op: string;
}

export class GdalOpError extends Error {
  constructor(message: string, public readonly input?: string) {
    super(message);
    this.name = input ? 'InputError' : 'ProcessingError';
  }
}

/** Inside the single executable, `fork(script)` would rerun the embedded launcher: ask it for the command instead. */
function isSea(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('node:sea') as { isSea(): boolean }).isSea();
  } catch {
    return false;
  }
}

/**
 * A fixed mmap threshold for the child's glibc malloc. GDAL's tile-sized buffers (256 KB and up)
 * otherwise come from the heap once glibc has raised its dynamic threshold, and stay there after
 * free: measured, the child kept ~200 MB after a USA clip and the next clip's peak started from
 * there (USA after Russia 414 MB). With the threshold fixed they are unmapped on free (USA 265-282 MB
 * in any order). The environment is read at exec, so it is set here, for the child.
 */
export function gdalChildEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { MALLOC_MMAP_THRESHOLD_: '131072', ...env };
}

function start(): ChildProcess {
  const opts = { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] as const, serialization: 'advanced' as const, env: gdalChildEnv(process.env) };
  // Bundled, __dirname is dist/: the CLI bundle beside this worker bundle.
  if (isSea()) return spawn(process.execPath, ['__gdal-child'], { ...opts, stdio: [...opts.stdio] });
  return fork(join(__dirname, 'subsetd.cjs'), ['__gdal-child'], { ...opts, stdio: [...opts.stdio], execArgv: [] });
}

export class GdalChild {
  private proc: ChildProcess | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderrTail: string[] = [];
  private ping: NodeJS.Timeout | null = null;

  private ensure(): ChildProcess {
    if (this.proc) return this.proc;
    const proc = start();
    this.proc = proc;
    this.stderrTail = [];
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      // netCDF/HDF5 print harmless diagnostics by the thousand: keep only a tail for crash reports.
      for (const line of d.split('\n')) if (line.trim() && !line.includes('HDF5-DIAG')) this.stderrTail.push(line.slice(0, 300));
      if (this.stderrTail.length > 20) this.stderrTail.splice(0, this.stderrTail.length - 20);
    });
    proc.on('message', (m: ChildMessage) => this.onMessage(m));
    proc.on('exit', (code, signal) => this.onExit(proc, code, signal));
    proc.on('error', (e) => this.onExit(proc, null, null, e));
    this.ping = setInterval(() => this.post({ t: 'ping' }), PING_INTERVAL_MS);
    this.ping.unref();
    proc.unref();
    (proc as unknown as { channel?: { unref(): void } }).channel?.unref();
    return proc;
  }

  private post(m: ParentMessage) {
    if (this.proc?.connected) this.proc.send(m);
  }

  private onMessage(m: ChildMessage) {
    if (m.t === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.t === 'progress') p.progress?.(m.percent, m.message);
    else if (m.t === 'done') {
      this.pending.delete(m.id);
      this.refresh();
      p.resolve(m.result);
    } else if (m.t === 'error') {
      this.pending.delete(m.id);
      this.refresh();
      p.reject(new GdalOpError(m.message, m.input));
    }
  }

  private onExit(proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null, err?: Error) {
    if (this.proc !== proc) return;
    this.proc = null;
    if (this.ping) clearInterval(this.ping);
    const how = err ? `could not start (${err.message})` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const tail = this.stderrTail.slice(-3).join(' | ');
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(new GdalOpError(`the GDAL process ${how} during ${p.op}${signal === 'SIGSEGV' || signal === 'SIGABRT' || signal === 'SIGBUS' ? ' (a crash reading the input?)' : ''}${tail ? `: ${tail}` : ''}`));
    }
  }

  /** A busy child keeps the thread's event loop alive; an idle one must not. */
  private refresh() {
    const ch = (this.proc as unknown as { channel?: { ref(): void; unref(): void } } | null)?.channel;
    if (this.pending.size) ch?.ref();
    else ch?.unref();
  }

  run<T>(op: string, args: unknown, opts: { signal?: AbortSignal; progress?: (percent: number, message?: string) => void } = {}): Promise<T> {
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason ?? new Error('aborted'));
    const proc = this.ensure();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        // GDAL cannot be interrupted mid-call; the child goes, the next job starts a new one.
        this.kill();
        reject(opts.signal!.reason instanceof Error ? opts.signal!.reason : new Error('aborted'));
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => opts.signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        op,
        progress: opts.progress,
        resolve: (v) => (done(), resolve(v as T)),
        reject: (e) => (done(), reject(e)),
      });
      this.refresh();
      proc.send({ t: 'run', id, op, args } satisfies ParentMessage);
    });
  }

  kill() {
    const proc = this.proc;
    if (!proc) return;
    proc.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }
}

/** One child per worker thread: module state is per thread. */
let shared: GdalChild | undefined;
export function gdalChild(): GdalChild {
  shared ??= new GdalChild();
  return shared;
}
