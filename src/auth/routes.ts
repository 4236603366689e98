/**
 * /auth/whoami (who the console is signed in as), POST|DELETE /auth/session (the console's
 * HttpOnly session cookie) and GET /auth/check (nginx auth_request: 204 / 401 / 403 for the
 * request named by X-Original-URI and X-Original-Method). Shapes fixed in the team contract.
 */
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../server/context.js';
import { baseUrl } from '../server/links.js';
import { badInput } from '../server/problem.js';
import { readJsonBody } from '../server/read-json.js';
import { wantsHtml } from '../console/negotiate.js';
import { checkToken, SESSION_COOKIE } from './authenticate.js';
import { judge, unauthorized } from './judge.js';
import type { LinkSigner } from './signed-links.js';

function cookieAttributes(c: Context<AppEnv>): string {
  const base = new URL(baseUrl(c, c.var.deps.config));
  const path = `${base.pathname.replace(/\/+$/, '')}/`;
  return `Path=${path}; HttpOnly; SameSite=Strict${base.protocol === 'https:' ? '; Secure' : ''}`;
}

export function authRoutes(signer: () => Promise<LinkSigner>) {
  return new Hono<AppEnv>({ strict: false })
    .get('/auth/whoami', (c) => {
      const { config } = c.var.deps;
      const p = c.var.principal;
      return c.json({ auth: config.auth, anonymous: config.anonymous, name: p.name, scope: p.scope });
    })
    .post('/auth/session', async (c) => {
      const { config, store } = c.var.deps;
      if (config.auth === 'off') return c.json({ name: null, scope: 'admin' });
      const body = (await readJsonBody(c)) as { token?: unknown } | null;
      const token = body && typeof body === 'object' ? body.token : undefined;
      if (typeof token !== 'string' || !token) throw badInput('token', 'is required: the API token to sign in with');
      const r = await checkToken(store, token, 'cookie');
      if ('refused' in r) throw unauthorized(r.refused, true);
      c.header('Set-Cookie', `${SESSION_COOKIE}=${token}; ${cookieAttributes(c)}`);
      c.header('Cache-Control', 'no-store');
      return c.json({ name: r.principal.name, scope: r.principal.scope });
    })
    .delete('/auth/session', (c) => {
      c.header('Set-Cookie', `${SESSION_COOKIE}=; ${cookieAttributes(c)}; Max-Age=0`);
      return c.body(null, 204);
    })
    .get('/auth/check', async (c) => {
      const { config, store } = c.var.deps;
      if (config.auth === 'off') return c.body(null, 204);
      // Split by hand: new URL() would read a leading "//x" as a host name and drop it from the path.
      const uri = c.req.header('x-original-uri') ?? '/';
      const q = uri.indexOf('?');
      const url = { pathname: (q < 0 ? uri : uri.slice(0, q)).split('#')[0] || '/', searchParams: new URLSearchParams(q < 0 ? '' : uri.slice(q + 1)) };
      // nginx sends $request_uri, which carries the public prefix of the API (e.g. /api).
      const prefix = config.trustProxy ? (c.req.header('x-forwarded-prefix') ?? '').split(',')[0].trim().replace(/\/+$/, '') : '';
      const raw = prefix && url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : url.pathname;
      let path = raw;
      try {
        path = decodeURI(path);
      } catch {
        // keep it encoded: it then matches no route class but the default (read / submit)
      }
      await judge(config, store, await signer(), {
        method: c.req.header('x-original-method') ?? 'GET',
        path,
        rawPath: raw,
        query: url.searchParams,
        authorization: c.req.header('authorization'),
        cookie: c.req.header('cookie'),
        csrf: c.req.header('x-subsetd-request'),
        consolePage: path === '/' && wantsHtml(c.req.header('accept'), url.searchParams.get('f') ?? undefined),
      });
      return c.body(null, 204);
    });
}
