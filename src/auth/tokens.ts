/**
 * The token format: `sdt_<prefix>_<secret>`, prefix = 8 base64url characters (6 random bytes,
 * the public lookup key), secret = 43 base64url characters (32 random bytes). Only the prefix
 * and a SHA-256 of the secret are stored; a presented token is checked with a constant-time
 * comparison of the hashes. 256 random bits need no slow KDF: nothing can be guessed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenRecord } from '../stores/tokens.js';

const TOKEN_RE = /^sdt_([A-Za-z0-9_-]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewSecret {
  token: string;
  prefix: string;
  hash: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export function generateToken(): NewSecret {
  const prefix = randomBytes(6).toString('base64url');
  const secret = randomBytes(32).toString('base64url');
  return { token: `sdt_${prefix}_${secret}`, prefix, hash: hashSecret(secret) };
}

/** Splits a presented token; null when it is not one of ours (never looked up then). */
export function parseToken(token: string): { prefix: string; secret: string } | null {
  const m = TOKEN_RE.exec(token);
  return m ? { prefix: m[1], secret: m[2] } : null;
}

export function secretMatches(record: TokenRecord, secret: string): boolean {
  const want = Buffer.from(record.hash, 'hex');
  const got = Buffer.from(hashSecret(secret), 'hex');
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Token names are job owners and appear in Redis keys and logs: a short, plain alphabet. */
export const TOKEN_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
