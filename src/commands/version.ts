import type { Runtime } from './common.js';

/** Version, commit, and the versions of the native libraries this build runs against. */
export async function versionReport(rt: Runtime, version: string, commit: string): Promise<string> {
  const lines = [`subsetd ${version} (commit ${commit})`, `node ${process.versions.node}`];
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:', { nativeBinding: rt.nativeBinding });
    lines.push(`sqlite ${db.prepare('select sqlite_version()').pluck().get()}`);
    db.close();
  } catch (e) {
    lines.push(`sqlite unavailable: ${(e as Error).message}`);
  }
  try {
    const { loadGdal } = await import('../gdal/load-gdal.js');
    lines.push(`gdal ${(await loadGdal()).version}`);
  } catch (e) {
    lines.push(`gdal unavailable: ${(e as Error).message.split('\n')[0]}`);
  }
  return lines.join('\n');
}
