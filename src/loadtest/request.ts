// Request bytes, built once. Every connection writes the same Buffer unless its virtual user
// holds cookies; then the user's Buffer is rebuilt only when its Cookie header changes.
import type { LoadtestOptions } from './options.js';

export const USER_AGENT = 'albctl-loadtest/0.1';

export interface RequestTemplate {
  /** Request line and headers, each line ending in CRLF, without Cookie and the blank line. */
  readonly head: Buffer;
  /** The blank line and the body. */
  readonly tail: Buffer;
  /** A Cookie value the user passed with -H, merged in front of the jar's cookies. */
  readonly userCookie: string | null;
  /** The bytes to send when there is no cookie. */
  readonly plain: Buffer;
  readonly noBody: boolean;
}

type TemplateInput = Pick<LoadtestOptions, 'method' | 'headers' | 'body' | 'target'>;

export function buildRequestTemplate(o: TemplateInput): RequestTemplate {
  const has = (name: string): boolean => o.headers.some(([n]) => n.toLowerCase() === name);
  const lines = [`${o.method} ${o.target.path} HTTP/1.1`];
  if (!has('host')) lines.push(`Host: ${o.target.hostHeader}`);
  if (!has('user-agent')) lines.push(`User-Agent: ${USER_AGENT}`);
  if (!has('accept')) lines.push('Accept: */*');
  let userCookie: string | null = null;
  for (const [name, value] of o.headers) {
    if (name.toLowerCase() === 'cookie') userCookie = userCookie === null ? value : `${userCookie}; ${value}`;
    else lines.push(`${name}: ${value}`);
  }
  const body = o.body === null ? null : Buffer.from(o.body, 'utf8');
  if (body !== null && !has('content-length') && !has('transfer-encoding')) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
  const tail = body === null ? Buffer.from('\r\n', 'latin1') : Buffer.concat([Buffer.from('\r\n', 'latin1'), body]);
  const template = { head, tail, userCookie, noBody: o.method === 'HEAD' };
  return { ...template, plain: requestBytes({ ...template, plain: Buffer.alloc(0) }, '') };
}

/** The request with `cookie` (the jar's Cookie value, possibly '') merged in. */
export function requestBytes(t: RequestTemplate, cookie: string): Buffer {
  const value = t.userCookie === null ? cookie : cookie === '' ? t.userCookie : `${t.userCookie}; ${cookie}`;
  if (value === '') return t.plain.length > 0 ? t.plain : Buffer.concat([t.head, t.tail]);
  return Buffer.concat([t.head, Buffer.from(`Cookie: ${value}\r\n`, 'latin1'), t.tail]);
}
