// Open-loop latency: `connections` keep-alive sockets, each sending at a fixed interval, staggered
// so the total rate is even (autocannon's overallRate sends each second's quota in a burst, which
// measures its own queue). Latency counts from the scheduled send time (no coordinated omission).
import http from 'node:http';

export async function paced(url, { connections = 100, rate = 2000, seconds = 10 } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const interval = (1000 * connections) / rate;
  const lat = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const one = (scheduled) =>
    new Promise((resolve) => {
      const start = scheduled;
      const req = http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          lat.push(performance.now() - start);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: connections }, async (_, i) => {
      let next = performance.now() + (i * interval) / connections;
      while (next < end) {
        const wait = next - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        // Timers may fire up to a millisecond early (libuv caches loop time): never send early.
        while (performance.now() < next) await new Promise((r) => setImmediate(r));
        await one(next);
        next += interval;
      }
    }),
  );
  agent.destroy();
  lat.sort((a, b) => a - b);
  const q = (p) => Math.round(lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] * 100) / 100;
  return { requests: lat.length, errors, p50: q(50), p99: q(99), max: q(100) };
}
