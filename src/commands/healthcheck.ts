import { openStore } from '../stores/open-store.js';
import { configFrom, type Runtime } from './common.js';

/**
 * Exit 0 when this node is ready. With HTTP (serve): GET /ready. Worker-only nodes have no HTTP:
 * then the job store must answer a write.
 */
export async function healthcheckCommand(values: { 'env-file'?: string; url?: string; worker?: boolean }, rt: Runtime): Promise<number> {
  const config = configFrom(values);
  if (values.worker) {
    const store = await openStore(config, { nativeBinding: rt.nativeBinding });
    try {
      await store.ping();
      console.log('ok: job store reachable');
      return 0;
    } catch (e) {
      console.error(`not ready: ${(e as Error).message}`);
      return 1;
    } finally {
      await store.close();
    }
  }
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = values.url ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/ready`;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = await res.text();
    if (res.ok) {
      console.log(`ok: ${url}`);
      return 0;
    }
    console.error(`not ready (${res.status}): ${body}`);
    return 1;
  } catch (e) {
    console.error(`not reachable: ${url}: ${(e as Error).message}`);
    return 1;
  }
}
