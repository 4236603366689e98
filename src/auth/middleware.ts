/**
 * Sets `principal` (and the link signer) on every request, or answers 401/403 before any route
 * runs. With SUBSETD_AUTH=off every caller is AUTH_OFF: everything allowed, jobs unowned.
 */
import type { MiddlewareHandler } from 'hono';
import { wantsConsole } from '../console/routes.js';
import type { AppDeps, AppEnv } from '../server/context.js';
import { judge } from './judge.js';
import { AUTH_OFF } from './principal.js';
import { LinkSigner } from './signed-links.js';
import { loadSigningKey } from './signing-key.js';

/** Loads the signing key once per app, on first use (the store may need a round trip). */
export function signerOf(deps: Pick<AppDeps, 'config' | 'store'>): () => Promise<LinkSigner> {
  let p: Promise<LinkSigner> | null = null;
  return () =>
    (p ??= loadSigningKey(deps.config, deps.store)
      .then((key) => new LinkSigner(key, deps.config.linkTtl))
      .catch((e) => {
        p = null; // e.g. Redis down at the first request: try again next time
        throw e;
      }));
}

export function accessControl(deps: AppDeps, signer: () => Promise<LinkSigner>): MiddlewareHandler<AppEnv> {
  if (deps.config.auth === 'off')
    return async (c, next) => {
      c.set('principal', AUTH_OFF);
      c.set('links', null);
      await next();
    };
  return async (c, next) => {
    const links = await signer();
    c.set('links', links);
    const url = new URL(c.req.url);
    const principal = await judge(deps.config, deps.store, links, {
      method: c.req.method,
      path: c.req.path,
      rawPath: url.pathname,
      query: url.searchParams,
      authorization: c.req.header('authorization'),
      cookie: c.req.header('cookie'),
      csrf: c.req.header('x-subsetd-request'),
      consolePage: c.req.path === '/' && wantsConsole(c),
    });
    c.set('principal', principal);
    await next();
  };
}
