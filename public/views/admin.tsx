/**
 * Admin: workers per node (busy/idle, job, last heartbeat), queue depth per process, jobs
 * completed and failed per minute over the last hour, disk use, recent failures. Refreshed every
 * two seconds (in Redis mode the server reports every live node).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiProblem, type AdminStats } from '../api';
import { href } from '../router';
import { bytes, duration, Empty, ProblemBox, Time } from '../ui';

function PerMinuteChart({ data }: { data: AdminStats['perMinute'] }) {
  const w = 600;
  const h = 120;
  const max = Math.max(1, ...data.map((d) => d.successful + d.failed));
  const bw = w / Math.max(60, data.length);
  const total = data.reduce((a, d) => ({ s: a.s + d.successful, f: a.f + d.failed }), { s: 0, f: 0 });
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`Jobs per minute over the last hour: ${total.s} successful, ${total.f} failed`} preserveAspectRatio="none">
        {data.map((d, i) => {
          const hs = (d.successful / max) * (h - 4);
          const hf = (d.failed / max) * (h - 4);
          return (
            <g key={d.minute}>
              <title>{`${new Date(d.minute).toLocaleTimeString()}: ${d.successful} successful, ${d.failed} failed`}</title>
              <rect class="bar-ok" x={i * bw + 1} y={h - hs} width={bw - 2} height={hs} />
              <rect class="bar-fail" x={i * bw + 1} y={h - hs - hf} width={bw - 2} height={hf} />
            </g>
          );
        })}
      </svg>
      <figcaption>
        <span class="key ok">successful {total.s}</span> <span class="key fail">failed {total.f}</span> <span class="muted">per minute, last hour (max {max})</span>
      </figcaption>
    </figure>
  );
}

export function AdminView() {
  const [stats, setStats] = useState<AdminStats | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  useEffect(() => {
    let live = true;
    const load = () => api.adminStats().then((s) => live && (setStats(s), setProblem(null))).catch((e) => live && setProblem(e));
    load();
    const t = setInterval(load, 2000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);
  if (problem && !stats)
    return (
      <section class="view admin">
        <h1>Admin</h1>
        {problem.status === 404 ? <Empty title="This server reports no statistics yet." /> : problem.status === 403 ? <Empty title="Admin scope needed."><p><a href={href('sign-in')}>Sign in</a> with an admin token.</p></Empty> : <ProblemBox problem={problem} />}
      </section>
    );
  if (!stats) return <section class="view"><p class="muted">Loading statistics…</p></section>;
  const queue = Object.entries(stats.queue);
  return (
    <section class="view admin">
      <header class="view-head"><h1>Admin</h1></header>
      <ProblemBox problem={problem} />
      <div class="grid2">
        <div>
          <h2>Workers</h2>
          {stats.nodes.length === 0 ? <p class="muted">No node has reported in.</p> : null}
          {stats.nodes.map((n) => (
            <table key={n.nodeId} class="workers">
              <caption>Node <span class="mono">{n.nodeId}</span>{n.processes ? <span class="muted small"> · runs {n.processes.length ? n.processes.join(', ') : 'nothing (API only)'}</span> : null}</caption>
              <thead><tr><th scope="col">Slot</th><th scope="col">State</th><th scope="col">Job</th><th scope="col">Last heartbeat</th></tr></thead>
              <tbody>
                {n.workers.map((w) => (
                  <tr key={w.slot}>
                    <td class="num">{w.slot}</td>
                    <td><span class={`badge worker-${w.state}`}>{w.state}</span></td>
                    <td>{w.jobId ? <a href={href(`jobs/${w.jobId}`)}>{w.processId ?? ''} <span class="mono small">{w.jobId.slice(0, 12)}</span></a> : <span class="muted">—</span>}</td>
                    <td class="num">{w.lastHeartbeatMsAgo === null || w.lastHeartbeatMsAgo === undefined ? '—' : `${duration(w.lastHeartbeatMsAgo)} ago`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
          <h2>Queue</h2>
          {stats.unservedProcesses?.length ? (
            <p class="notice warn" role="status">No live node runs {stats.unservedProcesses.join(', ')}: their jobs are accepted and wait until a node with <span class="mono">--processes</span> including them starts.</p>
          ) : null}
          {queue.length === 0 ? <p class="muted">Nothing is waiting.</p> : (
            <table class="queue">
              <thead><tr><th scope="col">Process</th><th scope="col">Waiting</th></tr></thead>
              <tbody>{queue.map(([p, n]) => <tr key={p}><td>{p}</td><td class="num">{n}</td></tr>)}</tbody>
            </table>
          )}
          <h2>Disk</h2>
          <table class="disk">
            <thead><tr><th scope="col">Folder</th><th scope="col">Used</th><th scope="col">Free</th></tr></thead>
            <tbody>{Object.entries(stats.disk).map(([k, d]) => <tr key={k}><td>{k}</td><td class="num">{bytes(d.bytes)}</td><td class="num">{bytes(d.free)}</td></tr>)}</tbody>
          </table>
        </div>
        <div>
          <h2>Jobs per minute</h2>
          <PerMinuteChart data={stats.perMinute} />
          <h2>Recent failures</h2>
          {stats.failures.length === 0 ? <p class="muted">No failures.</p> : (
            <ul class="failures">
              {stats.failures.map((f) => (
                <li key={f.id}>
                  <a href={href(`jobs/${f.id}`)}>{f.processId}</a> <Time iso={f.finished} />
                  <div class="message">{f.message}</div>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
