/**
 * One job: status and progress live, inputs (and their region on the map), timeline, its own log
 * lines, outputs with size, type and download, dismiss, and "edit & run again".
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem, sameOrigin, type LogLine, type StatusInfo } from '../api';
import { useRegionOverlays } from '../form/regions';
import { useLiveJobs } from '../live';
import { MapView } from '../map/lazy-map';
import { href, navigate } from '../router';
import { bytes, Confirm, Empty, jobDuration, Progress, ProblemBox, StatusBadge, Time } from '../ui';

interface FileLink { name: string; href: string; type?: string; title?: string }

/** File links in a results document (single or in arrays), and the plain values beside them. */
function splitResults(doc: Record<string, unknown>): { files: FileLink[]; values: Record<string, unknown> } {
  const files: FileLink[] = [];
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    const items = Array.isArray(v) ? v : [v];
    const links = items.filter((x): x is { href: string; type?: string; title?: string } => !!x && typeof x === 'object' && typeof (x as { href?: unknown }).href === 'string');
    if (links.length && links.length === items.length) links.forEach((l) => files.push({ name: k, ...l }));
    else values[k] = v;
  }
  return { files, values };
}

function fileName(l: FileLink): string {
  return decodeURIComponent(new URL(l.href, location.href).pathname.split('/').pop() ?? l.name);
}

function Outputs({ id }: { id: string }) {
  const [doc, setDoc] = useState<Record<string, unknown> | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [sizes, setSizes] = useState<Record<string, number>>({});
  useEffect(() => {
    api.results(id).then(setDoc).catch(setProblem);
  }, [id]);
  const { files, values } = doc ? splitResults(doc) : { files: [], values: {} };
  useEffect(() => {
    for (const f of files) api.fileSize(sameOrigin(f.href)).then((n) => n !== null && setSizes((s) => ({ ...s, [f.href]: n })));
  }, [doc]);
  if (problem) return <ProblemBox problem={problem} />;
  if (!doc) return <p class="muted">Loading results…</p>;
  const zips = files.filter((f) => /zip/.test(f.type ?? ''));
  return (
    <>
      {zips.length ? (
        <p class="zip">
          {zips.map((z) => (
            <a key={z.href} class="button primary" href={sameOrigin(z.href)} download={fileName(z)}>Download all ({fileName(z)}, {bytes(sizes[z.href])})</a>
          ))}
        </p>
      ) : null}
      {files.length ? (
        <table class="outputs">
          <thead>
            <tr><th scope="col">Output</th><th scope="col">File</th><th scope="col">Size</th><th scope="col">Media type</th><th scope="col"><span class="sr-only">Download</span></th></tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr key={f.href}>
                <td>{f.name}</td>
                <td class="mono">{fileName(f)}</td>
                <td class="num">{bytes(sizes[f.href])}</td>
                <td class="mono small">{f.type}</td>
                <td><a class="button" href={sameOrigin(f.href)} download={fileName(f)} aria-label={`Download ${fileName(f)}`}>Download</a></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {Object.keys(values).length ? <pre class="json" aria-label="Result values">{JSON.stringify(values, null, 2)}</pre> : null}
      {!files.length && !Object.keys(values).length ? <p class="muted">This job produced no outputs.</p> : null}
    </>
  );
}

function Log({ id, version }: { id: string; version: string }) {
  const [lines, setLines] = useState<LogLine[] | null>(null);
  const [missing, setMissing] = useState(false);
  const count = useRef(0);
  useEffect(() => {
    count.current = 0;
    setLines(null);
  }, [id]);
  useEffect(() => {
    if (missing) return;
    const after = count.current ? count.current - 1 : undefined;
    api
      .log(id, after)
      .then((r) => {
        setLines((old) => {
          const next = after === undefined ? r.lines : [...(old ?? []), ...r.lines];
          count.current = next.length;
          return next;
        });
      })
      .catch((e: ApiProblem) => e.status === 404 && setMissing(true));
  }, [id, version]);
  if (missing) return <p class="muted">This server keeps no job log.</p>;
  if (!lines) return <p class="muted">Loading log…</p>;
  if (!lines.length) return <p class="muted">No log lines yet.</p>;
  return (
    <ol class="log" aria-label="Job log">
      {lines.map((l, i) => (
        <li key={i} class={`log-${l.level}`}>
          <Time iso={l.time} /> <span class="level">{l.level}</span> {l.progress !== undefined && !l.message.includes('%') ? <span class="muted">{Math.round(l.progress)}%</span> : null} {l.message}
          {l.retryable !== undefined ? <span class="badge">{l.retryable ? 'retryable' : 'not retryable'}</span> : null}
        </li>
      ))}
    </ol>
  );
}

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
