/** A zip's entries, name -> bytes, read from memory (yauzl). */
import yauzl from 'yauzl';

export function zipFiles(buf: Buffer): Promise<Record<string, Buffer>> {
  return new Promise((resolveZip, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: Record<string, Buffer> = {};
      zip.on('entry', (e: yauzl.Entry) =>
        zip.openReadStream(e, (er, s) => {
          if (er || !s) return reject(er);
          const parts: Buffer[] = [];
          s.on('data', (d: Buffer) => parts.push(d)).on('end', () => ((out[e.fileName] = Buffer.concat(parts)), zip.readEntry()));
        }),
      );
      zip.on('end', () => resolveZip(out)).on('error', reject);
      zip.readEntry();
    });
  });
}
