// A complete subsetd plugin (docs/plugins.md): counts the lines of a text file under the data
// root, optionally only those containing a pattern. It shows each part of the contract: a file
// input checked before the job is accepted, progress, dismissal, a value output and a file output.
//
// Install: copy this file into SUBSETD_PLUGIN_DIR and restart subsetd.
// Types for editors: `subsetd plugin-types > subsetd-plugin.d.ts` beside this file.
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** subsetd recognises errors by name: this one fails the request (or the job) as bad input. */
class InputError extends Error {
  /**
   * @param {string} input the input at fault
   * @param {string} message
   */
  constructor(input, message) {
    super(message);
    this.name = 'InputError';
    this.input = input;
  }
}

/**
 * The file under the data root, or an InputError: never a path outside it.
 * @param {string} dataRoot
 * @param {unknown} path
 */
function dataFile(dataRoot, path) {
  if (typeof path !== 'string' || isAbsolute(path)) throw new InputError('path', 'must be a path relative to the data root');
  const full = resolve(dataRoot, path);
  const rel = relative(dataRoot, full);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new InputError('path', 'must stay inside the data root');
  return full;
}

/** @type {import('./subsetd-plugin.js').Process} */
const lineCount = {
  description: {
    id: 'line-count',
    version: '1.0.0',
    title: 'Count lines',
    description: 'Counts the lines of a text file (CSV, logs, ...) under the data root, optionally only those containing a pattern.',
    keywords: ['text', 'example plugin'],
    jobControlOptions: ['async-execute', 'sync-execute', 'dismiss'],
    outputTransmission: ['value', 'reference'],
    inputs: {
      path: { title: 'File', description: 'Path relative to the data root', schema: { type: 'string', minLength: 1 } },
      pattern: { title: 'Only lines containing', schema: { type: 'string', minLength: 1 }, minOccurs: 0 },
      throttle: { title: 'Read at most this many bytes per second', description: 'Keeps a shared disk responsive for others', schema: { type: 'integer', minimum: 1 }, minOccurs: 0 },
    },
    outputs: {
      lines: { title: 'Lines counted', schema: { type: 'integer' } },
      report: { title: 'The count as CSV', schema: { type: 'string', contentMediaType: 'text/csv' } },
    },
  },

  // Runs in the API process before the job is accepted: cheap checks only (HTTP 400 on failure).
  async validate(inputs, env) {
    const file = dataFile(env.dataRoot, inputs.path);
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) throw new InputError('path', `"${inputs.path}" is not a file under the data root`);
  },

  // Runs in a worker thread. ctx.signal aborts on dismissal, timeout or shutdown.
  async execute(inputs, ctx) {
    const file = dataFile(ctx.dataRoot, inputs.path);
    const { size } = await stat(file);
    // Inputs arrive validated against the schemas above; typed here for the editor.
    const pattern = typeof inputs.pattern === 'string' ? inputs.pattern : undefined;
    const throttle = typeof inputs.throttle === 'number' ? inputs.throttle : undefined;
    let lines = 0;
    let bytes = 0;
    let tail = '';
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: Math.min(64 * 1024, throttle ?? Infinity), signal: ctx.signal });
    for await (const chunk of stream) {
      const parts = (tail + chunk).split('\n');
      tail = parts.pop() ?? '';
      lines += pattern ? parts.filter((l) => l.includes(pattern)).length : parts.length;
      bytes += Buffer.byteLength(chunk);
      ctx.progress(size ? (100 * bytes) / size : 100, `${bytes} of ${size} bytes`);
      if (throttle) await delay((1000 * Buffer.byteLength(chunk)) / throttle, undefined, { signal: ctx.signal });
    }
    if (tail && (!pattern || tail.includes(pattern))) lines++;
    ctx.log('counted', { lines, bytes });
    // Files written into ctx.workDir become the job's result files (download links).
    await writeFile(join(ctx.workDir, 'count.csv'), `path,pattern,lines\n${JSON.stringify(inputs.path)},${JSON.stringify(pattern ?? '')},${lines}\n`);
    return { outputs: { lines, report: { file: 'count.csv', type: 'text/csv', title: 'Line count' } } };
  },
};

/** @type {import('./subsetd-plugin.js').ProcessorFamily} */
export default { name: 'line-count-example', processes: [lineCount] };
