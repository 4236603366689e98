/**
 * Signed download links: `<path>?exp=<unix s>&sig=<hex HMAC-SHA256 of "<path>\n<exp>">`. The
 * path is the one this server routes (below any proxy prefix), so a link keeps working behind
 * nginx, and a link for one file cannot be bent to another. Such a link needs no Authorization
 * header: curl, browsers and the ISIMIP client's download step fetch it as it is.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class LinkSigner {
  constructor(
    private readonly key: string,
    private readonly ttlMs: number,
  ) {}

  private mac(path: string, exp: string): Buffer {
    return createHmac('sha256', this.key).update(`${path}\n${exp}`).digest();
  }

  /** The query string (without '?') that makes `path` a signed link. */
  query(path: string, now = Date.now()): string {
    const exp = String(Math.floor((now + this.ttlMs) / 1000));
    return `exp=${exp}&sig=${this.mac(path, exp).toString('hex')}`;
  }

  /** Appends the signature to a full URL whose pathname ends with `path`. */
  sign(url: string, path: string): string {
    return `${url}${url.includes('?') ? '&' : '?'}${this.query(path)}`;
  }

  /** 'ok', or why the link is refused (expired / bad signature). */
  verify(path: string, exp: string | undefined, sig: string | undefined, now = Date.now()): 'ok' | 'expired' | 'invalid' {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp) || !/^[0-9a-f]{64}$/.test(sig)) return 'invalid';
    const want = this.mac(path, exp);
    if (!timingSafeEqual(want, Buffer.from(sig, 'hex'))) return 'invalid';
    return Number(exp) * 1000 > now ? 'ok' : 'expired';
  }
}

/** Routes whose GET/HEAD may be authorised by a signature instead of a token. */
export function isSignablePath(path: string): boolean {
  return /^\/jobs\/[^/]+\/(files\/.+|results\/[^/]+$)/.test(path) || /^\/isimip\/v2\/output\/[^/]+$/.test(path);
}
