// A cookie jar per virtual user, for the one origin a load test talks to (RFC 6265 §5.3, cut
// down to that case). What matters for load balancers: a Set-Cookie with a new value replaces
// the old one (ALB re-issues AWSALB and AWSALBCORS on every response), Max-Age and Expires end
// a cookie, and a Secure cookie is neither taken nor sent over plain HTTP.

export interface CookieOrigin {
  host: string;
  /** The request path (with or without a query). */
  path: string;
  secure: boolean;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
  /** ms since the epoch; Infinity for a session cookie. */
  expires: number;
  created: number;
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  path: string | null;
  domain: string | null;
  /** Seconds, possibly negative; null when absent or malformed. */
  maxAge: number | null;
  /** ms since the epoch; null when absent or unparseable. */
  expires: number | null;
  secure: boolean;
}

/** Parses one Set-Cookie header value; null when it carries no cookie. */
export function parseSetCookie(header: string): ParsedSetCookie | null {
  const parts = header.split(';');
  const pair = parts[0]!;
  const eq = pair.indexOf('=');
  if (eq < 0) return null; // RFC 6265 §5.2 step 2: ignore
  const name = pair.slice(0, eq).trim();
  if (name === '') return null;
  let value = pair.slice(eq + 1).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  const parsed: ParsedSetCookie = { name, value, path: null, domain: null, maxAge: null, expires: null, secure: false };
  for (let i = 1; i < parts.length; i++) {
    const attr = parts[i]!;
    const at = attr.indexOf('=');
    const key = (at < 0 ? attr : attr.slice(0, at)).trim().toLowerCase();
    const val = at < 0 ? '' : attr.slice(at + 1).trim();
    if (key === 'max-age') {
      if (/^-?\d+$/.test(val)) parsed.maxAge = Number(val);
    } else if (key === 'expires') {
      const t = Date.parse(val);
      if (!Number.isNaN(t)) parsed.expires = t;
    } else if (key === 'path') {
      parsed.path = val.startsWith('/') ? val : null;
    } else if (key === 'domain') {
      parsed.domain = val.replace(/^\./, '').toLowerCase() || null;
    } else if (key === 'secure') {
      parsed.secure = true;
    }
  }
  return parsed;
}

/** RFC 6265 §5.1.4: the directory of the request path. */
export function defaultPath(requestPath: string): string {
  const path = requestPath.split('?')[0]!;
  if (!path.startsWith('/')) return '/';
  const slash = path.lastIndexOf('/');
  return slash <= 0 ? '/' : path.slice(0, slash);
}

/** RFC 6265 §5.1.4 path-match. */
export function pathMatches(requestPath: string, cookiePath: string): boolean {
  const path = requestPath.split('?')[0]!;
  if (path === cookiePath) return true;
  if (!path.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || path[cookiePath.length] === '/';
}

function domainMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase();
  return h === domain || (h.endsWith(`.${domain}`) && !/^[\d.]+$|:/.test(h));
}

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();
  private cached = '';
  private dirty = false;
  /** When the next cookie expires (ms since the epoch); Infinity when none does. */
  nextExpiry = Infinity;
  private readonly origin: CookieOrigin;

  // No parameter properties here: worker threads load this file with Node's type stripping.
  constructor(origin: CookieOrigin) {
    this.origin = origin;
  }

  get size(): number {
    return this.cookies.size;
  }

  /**
   * Takes one Set-Cookie value. Returns true when the Cookie header to send may have changed
   * (a new cookie, a new value, a deletion), false when it surely did not.
   */
  set(header: string, now = Date.now()): boolean {
    const c = parseSetCookie(header);
    if (c === null) return false;
    if (c.secure && !this.origin.secure) return false;
    if (c.domain !== null && !domainMatches(this.origin.host, c.domain)) return false;
    const path = c.path ?? defaultPath(this.origin.path);
    const key = `${c.name}\0${c.domain ?? ''}\0${path}`;
    let expires = Infinity;
    if (c.maxAge !== null) expires = c.maxAge <= 0 ? -Infinity : now + c.maxAge * 1000;
    else if (c.expires !== null) expires = c.expires;

    const old = this.cookies.get(key);
    if (expires <= now) {
      if (old === undefined) return false;
      this.cookies.delete(key);
      this.changed();
      return true;
    }
    // A cookie that can never be sent on this origin's path changes nothing we send.
    if (!pathMatches(this.origin.path, path)) return false;
    if (old !== undefined) {
      const sameValue = old.value === c.value;
      old.value = c.value;
      if (old.expires !== expires) {
        old.expires = expires;
        this.recomputeExpiry();
      }
      if (sameValue) return false;
      this.dirty = true;
      return true;
    }
    this.cookies.set(key, { name: c.name, value: c.value, path, expires, created: now });
    if (expires < this.nextExpiry) this.nextExpiry = expires;
    this.dirty = true;
    return true;
  }

  /** The Cookie header value to send now ('' when none), dropping expired cookies first. */
  header(now = Date.now()): string {
    if (now >= this.nextExpiry) this.expire(now);
    if (!this.dirty) return this.cached;
    // Longer paths first, then older cookies first (RFC 6265 §5.4 step 2).
    const sorted = [...this.cookies.values()].sort((a, b) => b.path.length - a.path.length || a.created - b.created);
    this.cached = sorted.map((c) => `${c.name}=${c.value}`).join('; ');
    this.dirty = false;
    return this.cached;
  }

  /** Drops expired cookies; true when any was dropped. */
  expire(now = Date.now()): boolean {
    if (now < this.nextExpiry) return false;
    let dropped = false;
    for (const [key, c] of this.cookies) {
      if (c.expires <= now) {
        this.cookies.delete(key);
        dropped = true;
      }
    }
    if (dropped) this.dirty = true;
    this.recomputeExpiry();
    return dropped;
  }

  clear(): void {
    this.cookies.clear();
    this.changed();
  }

  private changed(): void {
    this.dirty = true;
    this.recomputeExpiry();
  }

  private recomputeExpiry(): void {
    let next = Infinity;
    for (const c of this.cookies.values()) if (c.expires < next) next = c.expires;
    this.nextExpiry = next;
  }
}
