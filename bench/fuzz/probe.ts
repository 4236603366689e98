/**
 * A latency probe in a process of its own: GET /jobs/{id} of one job every `everyMs` on one
 * keep-alive connection, timing each round trip. The soak's load generator is a busy event loop
 * (it runs the clients and reads every request log line of the service), so its own round trips
 * carry its scheduling delays; the probe's do not, and say what a client sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const CHILD = `
const [url, auth, everyMs] = process.argv.slice(1);
const { Agent, request } = require('node:http');
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const ms = [];
let errors = 0;
const once = () => new Promise((done) => {
  const t0 = process.hrtime.bigint();
  const req = request(url, { agent, headers: auth ? { Authorization: auth } : {} }, (res) => {
    res.resume();
    res.on('end', () => { if (res.statusCode === 200) ms.push(Number(process.hrtime.bigint() - t0) / 1e6); else errors++; done(); });
  });
  req.on('error', () => { errors++; done(); });
  req.end();
});
let stop = false;
process.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    await once();
    await new Promise((r) => setTimeout(r, Number(everyMs)));
  }
  process.send({ ms, errors }, () => process.exit(0));
})();
`;

export interface Probe {
  /** Stops probing; the round trips in ms (successful ones) and the failures. */
  stop(): Promise<{ ms: number[]; errors: number }>;
}

export function startProbe(url: string, authorization: string | undefined, everyMs = 50): Probe {
  const child: ChildProcess = spawn(process.execPath, ['-e', CHILD, url, authorization ?? '', String(everyMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        child.once('message', (m) => resolve(m as { ms: number[]; errors: number }));
        child.once('exit', (code) => code !== 0 && reject(new Error(`probe exited ${code}`)));
        child.send('stop');
      }),
  };
}
