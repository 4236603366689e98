/**
 * Where a job's files live. Work happens in work/<id>; results appear in results/<id> only by an
 * atomic rename of the complete directory, so no half-written result is ever visible.
 */
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, normalize, sep } from 'node:path';

export class JobFiles {
  constructor(private readonly stateDir: string, readonly resultsDir: string) {}

  workDir(id: string): string {
    return join(this.stateDir, 'work', safeId(id));
  }
  resultDir(id: string): string {
    return join(this.resultsDir, safeId(id));
  }
  uploadDir(id: string): string {
    return join(this.stateDir, 'uploads', safeId(id));
  }

  async prepareWorkDir(id: string): Promise<string> {
    const dir = this.workDir(id);
    await rm(dir, { recursive: true, force: true }); // leftovers of an earlier, interrupted attempt
    await mkdir(dir, { recursive: true });
    return dir;
  }

  /** Moves a finished work dir into results. Across filesystems: copy to a temp name, then rename. */
  async promote(id: string): Promise<void> {
    const from = this.workDir(id);
    const to = this.resultDir(id);
    await mkdir(this.resultsDir, { recursive: true });
    await rm(to, { recursive: true, force: true });
    try {
      await rename(from, to);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      const tmp = `${to}.partial-${process.pid}`;
      await cp(from, tmp, { recursive: true });
      await rename(tmp, to);
      await rm(from, { recursive: true, force: true });
    }
  }

  /** Absolute path of a result file, or null if it escapes the job's result dir or is missing. */
  async resultFile(id: string, rel: string): Promise<{ path: string; size: number; mtime: Date } | null> {
    const base = this.resultDir(id);
    const path = normalize(join(base, rel));
    if (!path.startsWith(base + sep)) return null;
    try {
      const st = await stat(path);
      return st.isFile() ? { path, size: st.size, mtime: st.mtime } : null;
    } catch {
      return null;
    }
  }

  async removeWork(id: string): Promise<void> {
    await rm(this.workDir(id), { recursive: true, force: true });
  }

  async removeAll(id: string): Promise<void> {
    await Promise.all([this.workDir(id), this.resultDir(id), this.uploadDir(id)].map((d) => rm(d, { recursive: true, force: true })));
  }
}

function safeId(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(id)) throw new Error(`invalid job id "${id}"`);
  return id;
}
