/**
 * The processor contract (src/processes/contract.ts, types only: it is what plugin authors get)
 * and the two error classes built-in processors throw; plugins throw errors of the same names.
 */
export type * from './contract.js';

/** A bad input: becomes HTTP 400 with the input named. */
export class InputError extends Error {
  constructor(public readonly input: string, message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A processing failure. `retryable` tells the scheduler whether another attempt may succeed. */
export class ProcessingError extends Error {
  constructor(message: string, public readonly retryable = false, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProcessingError';
  }
}

/**
 * The input an error blames, when it is an InputError: ours, or a plugin's own Error named
 * "InputError" with a string `input` (plugins cannot import this class). Undefined otherwise.
 */
export function blamedInput(e: unknown): string | undefined {
  if (e instanceof InputError) return e.input;
  const input = (e as { input?: unknown } | null)?.input;
  return e instanceof Error && e.name === 'InputError' && typeof input === 'string' ? input : undefined;
}
