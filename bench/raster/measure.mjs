// Timing and peak memory of one run of a command (/usr/bin/time -v), and of a subsetd job
// (wall time of the HTTP request; peak RSS = VmHWM of the GDAL child that did the work).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function timeCommand(cmd, args) {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8' });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr.slice(-500)}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { seconds, rssMB: kb / 1024 };
}

export function childPids(parentPid) {
  try {
    return execFileSync('pgrep', ['-P', String(parentPid), '-f', '__gdal-child']).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Peak RSS (VmHWM) of a live process, MB. */
export function peakRssMB(pid) {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** Resets VmHWM to the current RSS (Linux >= 4.0: write 5 to clear_refs), so a measure covers one job only. */
export function resetPeak(pid) {
  try {
    execFileSync('sh', ['-c', `echo 5 > /proc/${pid}/clear_refs`]);
    return true;
  } catch {
    return false;
  }
}

export async function timeJob(url, processId, inputs) {
  const t0 = performance.now();
  const res = await fetch(`${url}/processes/${processId}/execution`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ inputs }) });
  const body = await res.json();
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 200) throw new Error(`${processId} failed: ${JSON.stringify(body)}`);
  return { seconds, body };
}

/** CPU seconds (user + system, all threads) a live process has used. */
export function cpuSeconds(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}
