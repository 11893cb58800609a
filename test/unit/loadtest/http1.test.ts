import { describe, expect, it } from 'vitest';
import { ResponseParser, type ParserOptions } from '../../../src/loadtest/http1.js';

interface Seen {
  status: number;
  keepAlive: boolean;
  count: string | null;
  cookies: string[];
}

/** Feeds chunks to a parser the way a connection does; returns the responses or the error. */
function feed(chunks: Buffer[], opts: ParserOptions = { countHeader: 'x-served-by', cookies: true }, atEof = false, noBody = false): { seen: Seen[]; error: string | null; idle: boolean } {
  const p = new ResponseParser(opts);
  p.expectNoBody(noBody);
  const seen: Seen[] = [];
  const take = (): void => {
    seen.push({ status: p.status, keepAlive: p.keepAlive, count: p.countValue, cookies: [...p.setCookies] });
  };
  for (const chunk of chunks) {
    let pos = 0;
    while (pos < chunk.length) {
      const next = p.execute(chunk, pos, chunk.length);
      if (next < 0) return { seen, error: p.error, idle: p.idle };
      pos = next;
      if (p.completed) take();
    }
  }
  if (atEof && p.finish()) take();
  return { seen, error: null, idle: p.idle };
}

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

const RESPONSES = [
  'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Served-By: a\r\nSet-Cookie: AWSALB=one; Path=/\r\n\r\nhello',
  'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nx-served-by: b\r\n\r\n5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: t\r\n\r\n',
  'HTTP/1.1 204 No Content\r\nX-SERVED-BY: a\r\n\r\n',
  'HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n',
  'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbye',
].join('');

const EXPECTED: Seen[] = [
  { status: 200, keepAlive: true, count: 'a', cookies: ['AWSALB=one; Path=/'] },
  { status: 200, keepAlive: true, count: 'b', cookies: [] },
  { status: 204, keepAlive: true, count: 'a', cookies: [] },
  { status: 304, keepAlive: true, count: null, cookies: [] },
  { status: 404, keepAlive: true, count: null, cookies: [] },
  { status: 503, keepAlive: false, count: null, cookies: [] },
];

describe('ResponseParser', () => {
  it('parses pipelined responses of every framing in one buffer', () => {
    expect(feed([b(RESPONSES)])).toEqual({ seen: EXPECTED, error: null, idle: true });
  });

  it('gives the same answer when the bytes are split at every boundary', () => {
    const all = b(RESPONSES);
    for (let i = 1; i < all.length; i++) {
      const r = feed([all.subarray(0, i), all.subarray(i)]);
      expect(r.error, `split at ${i}`).toBeNull();
      expect(r.seen, `split at ${i}`).toEqual(EXPECTED);
    }
  });

  it('gives the same answer one byte at a time', () => {
    const all = b(RESPONSES);
    const chunks = Array.from({ length: all.length }, (_, i) => all.subarray(i, i + 1));
    expect(feed(chunks).seen).toEqual(EXPECTED);
  });

  it('ignores stale bytes past the end of a reused read buffer', () => {
    const buf = Buffer.alloc(200, 0x41);
    const head = b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n');
    head.copy(buf, 0);
    b('\r\n\r\n').copy(buf, 150); // stale: after `end`
    const p = new ResponseParser();
    expect(p.execute(buf, 0, head.length)).toBe(head.length);
    expect(p.completed).toBe(false);
    const rest = b('\r\nok');
    expect(p.execute(rest, 0, rest.length)).toBe(rest.length);
    expect([p.completed, p.status]).toEqual([true, 200]);
  });

  it('reads to the end of the connection when there is no length', () => {
    const r = feed([b('HTTP/1.1 200 OK\r\nX-Served-By: z\r\n\r\nsome'), b(' body')], undefined, true);
    expect(r.seen).toEqual([{ status: 200, keepAlive: false, count: 'z', cookies: [] }]);
    const cut = new ResponseParser();
    const msg = b('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    cut.execute(msg, 0, msg.length);
    expect(cut.finish()).toBe(false);
  });

  it('knows HTTP/1.0 and Connection tokens', () => {
    expect(feed([b('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')]).seen[0]!.keepAlive).toBe(false);
    expect(feed([b('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')]).seen[0]!.keepAlive).toBe(true);
    expect(feed([b('HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n')]).seen[0]!.keepAlive).toBe(false);
  });

  it('treats the response to HEAD as bodiless whatever it declares', () => {
    const r = feed([b('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n')], undefined, false, true);
    expect(r.seen.map((s) => s.status)).toEqual([200, 200]);
  });

  it('reuses the count header string while the value repeats', () => {
    const p = new ResponseParser({ countHeader: 'x-served-by' });
    const one = b('HTTP/1.1 200 OK\r\nX-Served-By: i-0abc\r\nContent-Length: 0\r\n\r\n');
    p.execute(one, 0, one.length);
    const first = p.countValue;
    p.execute(one, 0, one.length);
    expect(p.countValue).toBe(first);
    expect(first).toBe('i-0abc');
  });

  it('does not collect cookies unless asked', () => {
    expect(feed([b('HTTP/1.1 200 OK\r\nSet-Cookie: a=b\r\nContent-Length: 0\r\n\r\n')], {}).seen[0]!.cookies).toEqual([]);
  });

  it.each([
    ['not HTTP', 'hello world\r\n\r\n', /not an HTTP/],
    ['HTTP/2 status line', 'HTTP/2 200 OK\r\n\r\n', /not an HTTP/],
    ['bad status', 'HTTP/1.1 2x0 OK\r\n\r\n', /status line/],
    ['status 600', 'HTTP/1.1 600 Nope\r\nContent-Length: 0\r\n\r\n', /status line/],
    ['header without colon', 'HTTP/1.1 200 OK\r\nBadHeader\r\n\r\n', /header line/],
    ['bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n', /Content-Length/],
    ['negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /Content-Length/],
    ['conflicting Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', /conflicting/],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    ['chunk without CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', /CRLF/],
    ['huge chunk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n', /too large/],
  ])('rejects %s', (_name, text, error) => {
    const r = feed([b(text)]);
    expect(r.error).toMatch(error);
  });

  it('rejects headers that never end within 64 KiB', () => {
    const p = new ResponseParser();
    const status = b('HTTP/1.1 200 OK\r\n');
    expect(p.execute(status, 0, status.length)).toBe(status.length);
    const chunk = b('X-Big: y\r\n'.repeat(1000));
    let result = 0;
    for (let i = 0; i < 10 && result >= 0; i++) result = p.execute(chunk, 0, chunk.length);
    expect(result).toBe(-1);
    expect(p.error).toMatch(/64 KiB/);
  });
});
