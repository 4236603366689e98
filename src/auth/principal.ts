/**
 * Who is calling. Set by the auth middleware (middleware.ts) on every request as the Hono
 * variable `principal`; routes read it, never the headers.
 */
import type { TokenRecord, TokenScope } from '../stores/tokens.js';

export interface Principal {
  /** Token name (the owner of the jobs it creates); null when anonymous or access control is off. */
  name: string | null;
  scope: TokenScope | null;
  /** How the caller proved it: off (SUBSETD_AUTH=off), bearer, cookie, a signed link, or none. */
  via: 'off' | 'bearer' | 'cookie' | 'link' | 'none';
  /** The token's record (its limits for QUOTA); absent unless via bearer or cookie. */
  token?: TokenRecord;
}

/** SUBSETD_AUTH=off: everyone may do everything, jobs have no owner (the behaviour before auth). */
export const AUTH_OFF: Principal = Object.freeze({ name: null, scope: 'admin', via: 'off' }) as Principal;
export const ANONYMOUS: Principal = Object.freeze({ name: null, scope: null, via: 'none' }) as Principal;

const RANK: Record<TokenScope, number> = { read: 1, submit: 2, admin: 3 };

/** Whether `scope` includes `needed` (admin ⊃ submit ⊃ read). */
export function hasScope(p: Principal, needed: TokenScope): boolean {
  return p.scope !== null && RANK[p.scope] >= RANK[needed];
}
