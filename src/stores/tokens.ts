/**
 * API token records as the stores keep them (src/auth/tokens.ts makes and checks the tokens).
 * A record never holds the secret: only the public lookup prefix and a SHA-256 of the secret.
 */
export const TOKEN_SCOPES = ['read', 'submit', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface TokenRecord {
  /** Unique; it is also the owner of the jobs the token creates. */
  name: string;
  /** Public lookup part of the token, unique. */
  prefix: string;
  /** Hex SHA-256 of the secret part. */
  hash: string;
  scope: TokenScope;
  created: number; // ms since epoch
  lastUsed: number | null;
  expires: number | null;
  /** Per-token overrides of SUBSETD_MAX_QUEUED / SUBSETD_MAX_JOBS_PER_HOUR (null: the setting). */
  maxQueued: number | null;
  maxJobsPerHour: number | null;
  /** When it was revoked; a revoked token never authenticates again. */
  revoked: number | null;
}

export type NewToken = Omit<TokenRecord, 'lastUsed' | 'revoked'>;

/**
 * createToken's answer: the stored record, or which unique field is taken. A revoked token's
 * name may be used again (the new token then owns the old one's jobs: rotation).
 */
export type CreateTokenResult = { token: TokenRecord } | { conflict: 'name' | 'prefix' };
