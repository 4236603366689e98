// Runs wrk (C load generator: it leaves the second core to the server, unlike a Node client)
// and parses its --latency report. Asynchronous on purpose: while wrk runs, this process keeps
// reading the service's log pipe; a blocked parent let the pipe fill, and the service then
// stalled on its own log writes (p99 in the hundreds of ms that were the bench's, not the API's).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ms = (v, unit) => Number(v) * { us: 0.001, ms: 1, s: 1000 }[unit];

export async function wrk(url, { connections = 100, seconds = 10, lua } = {}) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency'];
  if (lua) {
    const f = join(tmpdir(), `subsetd-wrk-${process.pid}.lua`);
    writeFileSync(f, lua);
    args.push('-s', f);
  }
  let out;
  try {
    out = (await promisify(execFile)('wrk', [...args, url], { encoding: 'utf8' })).stdout;
  } finally {
    if (lua) rmSync(args.at(-1), { force: true });
  }
  const pct = (p) => {
    const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    return m ? ms(m[1], m[2]) : NaN;
  };
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]), p50: pct(50), p99: pct(99), non2xx: non2xx ? Number(non2xx[1]) : 0 };
}

/** POST async submissions with unique inputs (identical ones would be deduplicated). */
export const SUBMIT_LUA = `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Prefer"] = "respond-async"
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"inputs":{"seconds":' .. (3600 + counter / 1000000 + math.random()) .. '}}')
end
`;
