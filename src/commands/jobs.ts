import { openStore } from '../stores/open-store.js';
import { isJobStatus, type JobStatus } from '../jobs/status.js';
import { configFrom, UsageError, type Runtime } from './common.js';

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : '-');

/** `subsetd jobs list|show|cancel`: works on the store directly, with or without a running service. */
export async function jobsCommand(args: string[], values: { 'env-file'?: string; status?: string; process?: string; limit?: string; json?: boolean }, rt: Runtime): Promise<number> {
  const [sub, id] = args;
  const config = configFrom(values);
  const store = await openStore(config, { nativeBinding: rt.nativeBinding });
  try {
    if (sub === 'list') {
      const status = (values.status ?? '').split(',').filter(Boolean);
      for (const s of status) if (!isJobStatus(s)) throw new UsageError(`--status: "${s}" is not a job status`);
      const limit = values.limit ? Number(values.limit) : 50;
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive whole number');
      const { jobs, total } = await store.list({ status: status as JobStatus[], processId: values.process ? [values.process] : [], limit, offset: 0 });
      // --json: whole records, inputs and outputs too (the list itself carries summaries).
      if (values.json) console.log(JSON.stringify({ jobs: await Promise.all(jobs.map(async (j) => (await store.get(j.id)) ?? j)), total }, null, 2));
      else {
        console.log(['ID', 'PROCESS', 'STATUS', 'PROGRESS', 'CREATED', 'MESSAGE'].join('\t'));
        for (const j of jobs) console.log([j.id, j.processId, j.status, `${j.progress}%`, iso(j.created), j.message ?? ''].join('\t'));
        console.log(`(${jobs.length} of ${total})`);
      }
      return 0;
    }
    if (sub === 'show' || sub === 'cancel') {
      if (!id) throw new UsageError(`subsetd jobs ${sub} JOB_ID`);
      const job = sub === 'show' ? await store.get(id) : await store.dismiss(id, config.resultTtl);
      if (!job) {
        console.error(`no such job: ${id}`);
        return 1;
      }
      // A job running in the service stops when its next lease renewal sees the dismissal.
      console.log(JSON.stringify(job, null, 2));
      return 0;
    }
    throw new UsageError('subsetd jobs list|show|cancel');
  } finally {
    await store.close();
  }
}
