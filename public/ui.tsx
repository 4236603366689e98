/** Small pieces every view shares: times, durations, sizes, progress bars, status, problems, confirmation. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiProblem, JobStatus } from './api';

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A time in the viewer's zone; the ISO UTC time on hover. */
export function Time({ iso }: { iso?: string | null }) {
  if (!iso) return <span class="muted">—</span>;
  const d = new Date(iso);
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()}>
      {dateFmt.format(d)}
    </time>
  );
}

export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** How long a job ran (or has been running / waiting). */
export function jobDuration(j: { created?: string; started?: string; finished?: string; status?: string }, now = Date.now()): string {
  // Not started yet: how long it has been waiting.
  if (j.status === 'accepted' && j.created) return `waiting ${duration(now - Date.parse(j.created))}`;
  const start = j.started ?? j.created;
  if (!start) return '—';
  return duration((j.finished ? Date.parse(j.finished) : now) - Date.parse(start));
}

export function bytes(n?: number | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function Progress({ value, status, label }: { value?: number | null; status?: JobStatus; label: string }) {
  const done = status === 'successful';
  const v = done ? 100 : Math.max(0, Math.min(100, value ?? 0));
  return (
    <div class={`progress ${status ?? ''}`}>
      <progress max={100} value={status === 'accepted' && !value ? undefined : v} aria-label={label} />
      <span class="progress-text">{status === 'accepted' && !value ? 'queued' : `${Math.round(v)}%`}</span>
    </div>
  );
}

export function StatusBadge({ status }: { status: JobStatus }) {
  return <span class={`badge status-${status}`}>{status}</span>;
}

export function ProblemBox({ problem }: { problem: ApiProblem | null | undefined }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>
      {problem.detail ? <span> — {problem.detail}</span> : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

/** A modal confirmation (native <dialog>: focus trapped, Escape cancels). */
export function Confirm({ open, title, children, confirmLabel, onConfirm, onCancel }: {
  open: boolean;
  title: string;
  children?: ComponentChildren;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="confirm" aria-label={title} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2>{title}</h2>
      <div>{children}</div>
      <div class="actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button type="button" class="danger" onClick={onConfirm}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}
