/** Sleeps, reporting progress at every step: for operators' smoke checks and for tests. */
import { setTimeout as delay } from 'node:timers/promises';
import { ProcessingError, type Process } from '../../src/processes/types.js';

const STEP_MS = 100;

export const sleep: Process = {
  description: {
    id: 'sleep',
    version: '1.0.0',
    title: 'Sleep',
    description: 'Waits the given number of seconds, reporting progress; fails at the end when `fail` is true.',
    keywords: ['test', 'smoke check'],
    jobControlOptions: ['sync-execute', 'async-execute', 'dismiss'],
    inputs: {
      seconds: { title: 'Seconds', schema: { type: 'number', minimum: 0, maximum: 86400 } },
      fail: { title: 'Fail at the end', schema: { type: 'boolean', default: false }, minOccurs: 0 },
    },
    outputs: {
      slept: { title: 'Seconds slept', schema: { type: 'number' } },
    },
  },
  async execute(inputs, ctx) {
    const total = Number(inputs.seconds) * 1000;
    const steps = Math.max(1, Math.ceil(total / STEP_MS));
    for (let i = 1; i <= steps; i++) {
      await delay(Math.min(STEP_MS, total), undefined, { signal: ctx.signal });
      ctx.progress((100 * i) / steps, `step ${i} of ${steps}`);
    }
    if (inputs.fail === true) throw new ProcessingError('sleep was asked to fail', false);
    return { outputs: { slept: Number(inputs.seconds) } };
  },
};
