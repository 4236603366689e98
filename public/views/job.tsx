/**
 * One job: status and progress live, inputs (and their region on the map), timeline, its own log
 * lines, outputs with size, type and download, dismiss, and "edit & run again".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem, type StatusInfo } from '../api';
import { useRegionOverlays } from '../form/regions';
import { Log } from '../job/log';
import { Outputs } from '../job/outputs';
import { useLiveJobs } from '../live';
import { MapView } from '../map/lazy-map';
import { href, navigate } from '../router';
import { Confirm, Empty, jobDuration, Progress, ProblemBox, StatusBadge, Time } from '../ui';

export function JobView({ id }: { id: string }) {
  const [job, setJob] = useState<StatusInfo | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [, setTick] = useState(0);
  const jobRef = useRef<StatusInfo | null>(null);
  jobRef.current = job;
  const load = () => api.job(id).then((j) => { setJob(j); setProblem(null); }).catch(setProblem);
  useEffect(() => { setJob(null); load(); }, [id]);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  useLiveJobs(
    {
      refresh: load,
      onJob: (j) => {
        if (j.jobID !== id) return;
        // Events carry the status document only: a transition reloads the rest (attempts).
        if (j.status !== jobRef.current?.status) load();
        setJob((old) => ({ ...(old ?? j), ...j }));
      },
    },
    [id],
  );
  const overlays = useRegionOverlays(job?.inputs ?? {});

  if (problem && !job) return <section class="view"><h1>Job {id}</h1><ProblemBox problem={problem} /><p><a href={href('jobs')}>Back to all jobs</a></p></section>;
  if (!job) return <section class="view"><p class="muted">Loading job {id}…</p></section>;
  const terminal = ['successful', 'failed', 'dismissed'].includes(job.status);
  const version = `${job.status}:${job.progress ?? ''}:${job.updated ?? ''}:${job.message ?? ''}`;
  return (
    <section class="view job" data-status={job.status}>
      <header class="view-head">
        <h1>
          {job.processID} <span class="mono muted small">{job.jobID}</span>
        </h1>
        <div class="actions">
          <a class="button" href={href('new', { process: job.processID, from: job.jobID })}>Edit &amp; run again</a>
          {job.status !== 'dismissed' ? <button type="button" class="danger" onClick={() => setConfirm(true)}>Dismiss</button> : null}
        </div>
      </header>
      <ProblemBox problem={problem} />
      <div class="status-line">
        <StatusBadge status={job.status} />
        <Progress value={job.progress} status={job.status} label="Job progress" />
        <span class="message">{job.message}</span>
      </div>
      <div class="split">
        <div>
          <h2>Timeline</h2>
          <dl class="timeline">
            <dt>Created</dt><dd><Time iso={job.created} /></dd>
            <dt>Started</dt><dd><Time iso={job.started} /></dd>
            {job.attempts !== undefined ? <><dt>Attempts</dt><dd>{job.attempts}{job.maxAttempts ? ` of ${job.maxAttempts}` : ''}</dd></> : null}
            <dt>Finished</dt><dd><Time iso={job.finished} /></dd>
            <dt>Duration</dt><dd>{jobDuration(job)}</dd>
            {job.owner ? <><dt>Owner</dt><dd>{job.owner}</dd></> : null}
          </dl>
          <h2>Outputs</h2>
          {job.status === 'successful' ? <Outputs id={job.jobID} /> : <p class="muted">{terminal ? `No outputs: the job ${job.status === 'failed' ? 'failed' : 'was dismissed'}.` : 'Outputs appear here when the job has finished.'}</p>}
          <h2>Inputs</h2>
          {job.inputs ? <pre class="json" aria-label="Inputs">{JSON.stringify(job.inputs, null, 2)}</pre> : <p class="muted">The server does not show this job's inputs.</p>}
        </div>
        <div>
          {overlays.length ? <MapView label="Region of this job" overlays={overlays} fitKey={job.jobID} /> : null}
          <h2>Log</h2>
          <Log id={job.jobID} version={version} />
        </div>
      </div>
      <Confirm
        open={confirm}
        title="Dismiss this job?"
        confirmLabel="Dismiss"
        onCancel={() => setConfirm(false)}
        onConfirm={async () => {
          setConfirm(false);
          try {
            setJob(await api.dismiss(job.jobID));
          } catch (e) {
            setProblem(e as ApiProblem);
          }
        }}
      >
        <p>{terminal ? 'Its results are deleted.' : 'It is stopped where it runs.'} This cannot be undone.</p>
      </Confirm>
      {job.status === 'dismissed' ? <Empty title="This job was dismissed."><p><a href={href('jobs')}>Back to all jobs</a> or <button type="button" class="link" onClick={() => navigate(href('new', { process: job.processID, from: job.jobID }))}>run it again</button>.</p></Empty> : null}
    </section>
  );
}
