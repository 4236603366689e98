/**
 * Jobs: every job, live. Filters (status, process, created range, text over inputs) and the page
 * live in the URL, so a view can be bookmarked; paging follows the server's next/prev links. Selected jobs can be
 * dismissed together after a confirmation.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiProblem, type JobList, type StatusInfo } from '../api';
import { isFiltered, JobFilters, queryOf, setJobsParam } from '../jobs/filters';
import { useLiveJobs } from '../live';
import { href, type Route } from '../router';
import { Confirm, Empty, jobDuration, Progress, ProblemBox, StatusBadge, Time } from '../ui';

export function JobsView({ route }: { route: Route }) {
  const query = queryOf(route);
  const key = route.query.toString();
  const [data, setData] = useState<JobList | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState(false);
  const [, setTick] = useState(0);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = () =>
    api.jobs(query).then((d) => { setData(d); setProblem(null); }).catch(setProblem);
  const refreshSoon = () => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      load();
    }, 200);
  };

  useEffect(() => { load(); setSelected(new Set()); }, [key]);
  useEffect(() => {
    const t = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  useLiveJobs(
    {
      refresh: load,
      onJob: (job) => {
        const i = data?.jobs.findIndex((j) => j.jobID === job.jobID) ?? -1;
        // A job on this page changes in place (unless it no longer matches the filter); anything else may move the page.
        if (data && i >= 0 && (!query.status?.length || query.status.includes(job.status)))
          setData({ ...data, jobs: data.jobs.map((j) => (j.jobID === job.jobID ? { ...j, ...job } : j)) });
        else refreshSoon();
      },
    },
    [key],
  );

  const setParam = (changes: Record<string, string | undefined>) => setJobsParam(route, changes);
  // A new page starts at its top, as a new page would.
  const turn = (changes: Record<string, string | undefined>) => {
    setParam(changes);
    window.scrollTo({ top: 0 });
  };
  const dismissSelected = async () => {
    setConfirm(false);
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => api.dismiss(id)));
    const failed = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    if (failed.length) setProblem(new ApiProblem(0, `${failed.length} of ${ids.length} could not be dismissed`, (failed[0].reason as Error).message));
    setSelected(new Set());
    load();
  };

  const jobs = data?.jobs ?? [];
  // Pages follow the server's keyset links: each costs the same however deep it is.
  const newer = data ? api.pageLink(data, 'prev') : null;
  const older = data ? api.pageLink(data, 'next') : null;
  const filtered = isFiltered(query);
  const allOnPage = jobs.length > 0 && jobs.every((j) => selected.has(j.jobID));

  return (
    <section class="view jobs">
      <header class="view-head">
        <h1>Jobs</h1>
        <a class="button primary" href={href('new')}>New job</a>
      </header>
      <JobFilters route={route} />
      <ProblemBox problem={problem} />
      <div class="bulk" aria-live="polite">
        <button type="button" class="danger" disabled={selected.size === 0} onClick={() => setConfirm(true)}>
          Dismiss selected{selected.size ? ` (${selected.size})` : ''}
        </button>
        {data?.numberMatched !== undefined ? <span class="muted">{data.numberMatched.toLocaleString()} job{data.numberMatched === 1 ? '' : 's'}</span> : null}
      </div>
      {data && jobs.length === 0 ? (
        filtered ? (
          <Empty title="No job matches these filters."><p><a href={href('jobs')}>Clear the filters</a> to see every job.</p></Empty>
        ) : (
          <Empty title="No jobs yet.">
            <p>Start one from <a href={href('new')}>New job</a> — for example hello-world, or netcdf-subset on a file of the data root.</p>
          </Empty>
        )
      ) : (
        <table class="jobs-table">
          <thead>
            <tr>
              <th scope="col" class="sel">
                <input type="checkbox" aria-label="Select all jobs on this page" checked={allOnPage} onChange={() => setSelected(allOnPage ? new Set() : new Set(jobs.map((j) => j.jobID)))} />
              </th>
              <th scope="col">Status</th>
              <th scope="col">Process</th>
              <th scope="col">Progress</th>
              <th scope="col">Created</th>
              <th scope="col">Duration</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j: StatusInfo) => (
              <tr key={j.jobID} data-job={j.jobID} data-status={j.status}>
                <td class="sel">
                  <input
                    type="checkbox"
                    aria-label={`Select job ${j.jobID}`}
                    checked={selected.has(j.jobID)}
                    onChange={() => {
                      const s = new Set(selected);
                      if (s.has(j.jobID)) s.delete(j.jobID); else s.add(j.jobID);
                      setSelected(s);
                    }}
                  />
                </td>
                <td><a href={href(`jobs/${j.jobID}`)} aria-label={`Job ${j.jobID}: ${j.status}`}><StatusBadge status={j.status} /></a></td>
                <td><a href={href(`jobs/${j.jobID}`)}>{j.processID}</a><div class="muted small mono">{j.jobID.slice(0, 12)}</div></td>
                <td><Progress value={j.progress} status={j.status} label={`Progress of job ${j.jobID}`} /></td>
                <td><Time iso={j.created} /></td>
                <td class="num">{jobDuration(j)}</td>
                <td class="message" title={j.message}>{j.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {data && (newer || older) ? (
        <nav class="pager" aria-label="Pages">
          <button type="button" disabled={!newer} onClick={() => newer && turn({ ...newer, after: undefined })}>← Newer</button>
          <span>
            {data.numberReturned} shown{data.numberMatched !== undefined ? ` of ${data.numberMatched.toLocaleString()}` : ''}
          </span>
          <button type="button" disabled={!older} onClick={() => older && turn({ ...older, before: undefined })}>Older →</button>
        </nav>
      ) : null}
      <Confirm open={confirm} title={`Dismiss ${selected.size} job${selected.size === 1 ? '' : 's'}?`} confirmLabel="Dismiss" onConfirm={dismissSelected} onCancel={() => setConfirm(false)}>
        <p>Running jobs are stopped; results of finished jobs are deleted. This cannot be undone.</p>
      </Confirm>
    </section>
  );
}
