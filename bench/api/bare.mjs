// The yardstick for the GET-job hot path: a bare Node `http` server in its own process answering
// a fixed JSON body of the same size as subsetd's statusInfo, loaded by the same wrk run.
import { spawn } from 'node:child_process';

const SERVER = `
const http = require('node:http');
const body = process.argv[1];
const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }); res.end(body); });
s.keepAliveTimeout = 65000;
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
`;

/** Starts the bare server answering `body`; resolves with its URL and a stop(). */
export async function startBare(body) {
  const proc = spawn(process.execPath, ['-e', SERVER, body], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    proc.stdout.once('data', (d) => resolve(Number(String(d).trim())));
    proc.once('exit', (c) => reject(new Error(`bare server exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, stop: () => proc.kill('SIGKILL') };
}
