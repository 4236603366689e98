/**
 * The key of signed links: SUBSETD_SIGNING_KEY, or one generated once and kept by the store
 * (SQLite: <state dir>/signing.key, mode 0600; Redis: a key every node reads, set by the first
 * node to start), so links stay valid across restarts and on every node.
 */
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/table.js';
import type { JobStore } from '../stores/job-store.js';

export const SIGNING_KEY_NAME = 'signing';

export async function loadSigningKey(config: Config, store: JobStore): Promise<string> {
  if (config.signingKey) return config.signingKey;
  return store.sharedSecret(SIGNING_KEY_NAME, randomBytes(32).toString('base64url'));
}
