/** A job's own log lines (GET /jobs/{id}/log), fetched incrementally whenever the job changes. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem, type LogLine } from '../api';
import { Time } from '../ui';

export function Log({ id, version }: { id: string; version: string }) {
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
