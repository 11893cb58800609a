// An incremental HTTP/1.1 response parser for the load generator's hot path.
//
// It scans bytes in place (no string per header, no Buffer per chunk), remembers only what the
// load test needs (status, keep-alive, the count header, Set-Cookie) and stops after each
// complete response so the caller decides what the next bytes mean. A header block split across
// reads is copied into a small growable buffer; everything else is consumed where it lies.
// Framing follows RFC 9112 §6.3: HEAD, 1xx, 204 and 304 have no body; chunked wins over
// Content-Length; otherwise Content-Length; otherwise the body runs to the end of the connection.

const HEAD = 0;
const BODY_LENGTH = 1;
const CHUNK_SIZE = 2;
const CHUNK_EXT = 3;
const CHUNK_DATA = 4;
const CHUNK_DATA_END = 5;
const TRAILERS = 6;
const BODY_EOF = 7;

const CR = 13;
const LF = 10;
const COLON = 58;
const SP = 32;
const HTAB = 9;

const MAX_HEAD = 64 * 1024;
const HTTP_1 = Buffer.from('HTTP/1.', 'latin1');

const lower = (c: number): number => (c >= 65 && c <= 90 ? c | 0x20 : c);

function lowerBytes(text: string): Buffer {
  return Buffer.from(text.toLowerCase(), 'latin1');
}

const CONTENT_LENGTH = lowerBytes('content-length');
const TRANSFER_ENCODING = lowerBytes('transfer-encoding');
const CONNECTION = lowerBytes('connection');
const SET_COOKIE = lowerBytes('set-cookie');
const CHUNKED = lowerBytes('chunked');
const CLOSE = lowerBytes('close');
const KEEP_ALIVE = lowerBytes('keep-alive');

/** Is buf[start, end) equal to `name` (already lower case), ignoring ASCII case? */
function equalsLower(buf: Buffer, start: number, end: number, name: Buffer): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (lower(buf[start + i]!) !== name[i]) return false;
  return true;
}

export interface ParserOptions {
  /** Lower-case name of the header whose value is reported as `countValue`. */
  countHeader?: string;
  /** Collect Set-Cookie values into `setCookies`. */
  cookies?: boolean;
}

export class ResponseParser {
  /** Of the last complete response. */
  status = 0;
  /** Whether the connection may carry another request after the last complete response. */
  keepAlive = true;
  /** Value of the count header in the last complete response, or null. */
  countValue: string | null = null;
  /** Set-Cookie values of the last complete response (the array is reused). */
  readonly setCookies: string[] = [];
  /** Why parsing failed; set when execute returns -1. */
  error = '';
  /** Set by execute when the bytes it consumed completed a response. */
  completed = false;

  private state = HEAD;
  private remaining = 0;
  private lineLength = 0;
  private crlfSeen = 0;
  private head: Buffer | null = null;
  private headLength = 0;
  private noBody = false;
  private readonly countName: Buffer | null;
  private readonly wantCookies: boolean;
  // The last count-header value, as bytes and string, so a repeated value costs no allocation.
  private lastCountBytes = Buffer.alloc(256);
  private lastCountLength = -1;
  private lastCountString: string | null = null;

  constructor(options: ParserOptions = {}) {
    this.countName = options.countHeader ? lowerBytes(options.countHeader) : null;
    this.wantCookies = options.cookies ?? false;
  }

  /** Before the response to a HEAD request: it has no body whatever its headers say. */
  expectNoBody(noBody: boolean): void {
    this.noBody = noBody;
  }

  /** True between responses: nothing of a next response has been read. */
  get idle(): boolean {
    return this.state === HEAD && this.headLength === 0;
  }

  /** True when the response being read ends only when the connection closes. */
  get readsToEof(): boolean {
    return this.state === BODY_EOF;
  }

  /** For a new connection. */
  reset(): void {
    this.state = HEAD;
    this.headLength = 0;
    this.remaining = 0;
    this.error = '';
  }

  /**
   * Consumes bytes from buf[start, end). Returns the offset just past a completed response
   * (`completed` is true, `status` etc. describe it), `end` when every byte was consumed without
   * completing one, or -1 on malformed input (`error` says why). After a completion, call again
   * with the rest.
   */
  execute(buf: Buffer, start: number, end: number): number {
    this.completed = false;
    let pos = start;
    while (pos < end) {
      switch (this.state) {
        case HEAD: {
          const next = this.readHead(buf, pos, end);
          if (next < 0) return -1;
          pos = next;
          if (this.completed) return pos;
          break;
        }
        case BODY_LENGTH: {
          const take = Math.min(this.remaining, end - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) return this.complete(pos);
          break;
        }
        case CHUNK_SIZE: {
          const c = buf[pos]!;
          let digit = -1;
          if (c >= 48 && c <= 57) digit = c - 48;
          else if (c >= 97 && c <= 102) digit = c - 87;
          else if (c >= 65 && c <= 70) digit = c - 55;
          if (digit >= 0) {
            if (this.lineLength > 12) return this.fail('chunk size too large');
            this.remaining = this.remaining * 16 + digit;
            this.lineLength++;
            pos++;
          } else if (this.lineLength === 0) {
            return this.fail('malformed chunk size');
          } else if (c === CR || c === LF || c === 59 /* ; */ || c === SP || c === HTAB) {
            this.state = CHUNK_EXT;
          } else {
            return this.fail('malformed chunk size');
          }
          break;
        }
        case CHUNK_EXT: {
          // Skip extensions up to the LF that ends the size line.
          const c = buf[pos++]!;
          if (c === LF) {
            this.lineLength = 0;
            if (this.remaining === 0) this.state = TRAILERS;
            else this.state = CHUNK_DATA;
          }
          break;
        }
        case CHUNK_DATA: {
          const take = Math.min(this.remaining, end - pos);
          pos += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = CHUNK_DATA_END;
            this.crlfSeen = 0;
          }
          break;
        }
        case CHUNK_DATA_END: {
          const c = buf[pos++]!;
          if (c === CR && this.crlfSeen === 0) this.crlfSeen = 1;
          else if (c === LF) {
            this.state = CHUNK_SIZE;
            this.remaining = 0;
            this.lineLength = 0;
          } else return this.fail('missing CRLF after chunk data');
          break;
        }
        case TRAILERS: {
          const c = buf[pos++]!;
          if (c === LF) {
            if (this.lineLength === 0) return this.complete(pos);
            this.lineLength = 0;
          } else if (c !== CR) {
            this.lineLength++;
            if (this.lineLength > MAX_HEAD) return this.fail('trailers too large');
          }
          break;
        }
        case BODY_EOF: {
          pos = end;
          break;
        }
      }
    }
    return pos;
  }

  /**
   * The connection ended. Returns true when that completes a response whose body runs to the
   * end of the connection; false when a response was cut short (or none had started).
   */
  finish(): boolean {
    if (this.state === BODY_EOF) {
      this.state = HEAD;
      this.keepAlive = false;
      this.completed = true;
      return true;
    }
    return false;
  }

  private complete(pos: number): number {
    this.state = HEAD;
    this.completed = true;
    return pos;
  }

  private fail(message: string): -1 {
    this.error = message;
    this.state = HEAD;
    this.headLength = 0;
    return -1;
  }

  /** Reads the header block; returns the offset after it, `end` when it is incomplete, or -1. */
  private readHead(buf: Buffer, pos: number, end: number): number {
    if (this.headLength === 0) {
      // Usually the whole head is in this read: parse it where it lies.
      const at = this.parseHead(buf, pos, end);
      if (at !== 0) return at;
      return this.stash(buf, pos, end);
    }
    return this.stash(buf, pos, end);
  }

  /** Appends a partial header block to `head` and parses it again from its start. */
  private stash(buf: Buffer, pos: number, end: number): number {
    const before = this.headLength;
    const need = before + (end - pos);
    if (need > MAX_HEAD) return this.fail('response headers larger than 64 KiB');
    if (this.head === null || this.head.length < need) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_HEAD, Math.max(need, 1024, (this.head?.length ?? 0) * 2)));
      if (this.head !== null) this.head.copy(grown, 0, 0, before);
      this.head = grown;
    }
    buf.copy(this.head, before, pos, end);
    this.headLength = need;
    const at = this.parseHead(this.head, 0, need);
    if (at < 0) return -1;
    if (at === 0) return end;
    this.headLength = 0;
    return pos + (at - before);
  }

  /**
   * Parses the header block at buf[start, end): returns the offset just after it, 0 when it has
   * not all arrived, -1 when it is malformed. One pass over the bytes, nothing allocated unless
   * a header we keep has a new value.
   */
  private parseHead(buf: Buffer, start: number, end: number): number {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF. Garbage fails on its first bytes.
    const have = Math.min(end - start, 8);
    for (let i = 0; i < have; i++) {
      if (i === 7) break;
      if (buf[start + i] !== HTTP_1[i]) return this.fail('not an HTTP/1.x response');
    }
    if (end - start < 13) return 0;
    const minor = buf[start + 7]! - 48;
    const d0 = buf[start + 9]! - 48;
    const d1 = buf[start + 10]! - 48;
    const d2 = buf[start + 11]! - 48;
    const after = buf[start + 12];
    if (
      (minor !== 0 && minor !== 1) || buf[start + 8] !== SP ||
      d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 ||
      (after !== SP && after !== CR && after !== LF)
    ) {
      return this.fail('malformed status line');
    }
    let pos = start + 12;
    while (pos < end && buf[pos] !== LF) pos++;
    if (pos >= end) return 0;
    pos++;

    const status = d0 * 100 + d1 * 10 + d2;
    let keepAlive = minor === 1;
    let contentLength = -1;
    let chunked = false;
    let otherEncoding = false;
    let countValue: string | null = null;
    const countName = this.countName;
    const countLength = countName === null ? -1 : countName.length;
    const wantCookies = this.wantCookies;
    if (wantCookies) this.setCookies.length = 0;

    // Header lines until the empty line.
    let headEnd = -1;
    while (pos < end) {
      const first = buf[pos]!;
      if (first === CR || first === LF) {
        if (first === LF) headEnd = pos + 1;
        else if (pos + 1 >= end) return 0;
        else if (buf[pos + 1] === LF) headEnd = pos + 2;
        else return this.fail('malformed header line');
        break;
      }
      const lineStart = pos;
      while (pos < end) {
        const c = buf[pos]!;
        if (c === COLON || c === LF) break;
        pos++;
      }
      if (pos >= end) return 0;
      if (buf[pos] === LF || pos === lineStart) return this.fail('malformed header line');
      const colon = pos;
      while (pos < end && buf[pos] !== LF) pos++;
      if (pos >= end) return 0;
      const lineEnd = pos;
      pos++;
      const nameLength = colon - lineStart;
      // Only the headers we keep get a closer look; a length and a first byte rule out the rest.
      if (nameLength !== countLength && nameLength !== 14 && nameLength !== 17 && nameLength !== 10) continue;
      let vs = colon + 1;
      let ve = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      while (vs < ve && (buf[vs] === SP || buf[vs] === HTAB)) vs++;
      while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;

      if (nameLength === countLength && equalsLower(buf, lineStart, colon, countName!)) {
        countValue = this.countString(buf, vs, ve);
      } else if (nameLength === 14 && equalsLower(buf, lineStart, colon, CONTENT_LENGTH)) {
        if (ve === vs || ve - vs > 15) return this.fail('malformed Content-Length');
        let n = 0;
        for (let i = vs; i < ve; i++) {
          const d = buf[i]! - 48;
          if (d < 0 || d > 9) return this.fail('malformed Content-Length');
          n = n * 10 + d;
        }
        if (contentLength >= 0 && contentLength !== n) return this.fail('conflicting Content-Length headers');
        contentLength = n;
      } else if (nameLength === 17 && equalsLower(buf, lineStart, colon, TRANSFER_ENCODING)) {
        // The final coding decides: "gzip, chunked" is chunked; "chunked, gzip" is not framed.
        chunked = ve - vs >= 7 && equalsLower(buf, ve - 7, ve, CHUNKED) && (ve - vs === 7 || buf[ve - 8] === SP || buf[ve - 8] === 44);
        otherEncoding = !chunked;
      } else if (nameLength === 10 && equalsLower(buf, lineStart, colon, CONNECTION)) {
        if (equalsLower(buf, vs, ve, CLOSE)) keepAlive = false;
        else if (equalsLower(buf, vs, ve, KEEP_ALIVE)) keepAlive = true;
        else {
          const tokens = buf.toString('latin1', vs, ve).toLowerCase().split(',').map((t) => t.trim());
          if (tokens.includes('close')) keepAlive = false;
          else if (tokens.includes('keep-alive')) keepAlive = true;
        }
      } else if (wantCookies && nameLength === 10 && equalsLower(buf, lineStart, colon, SET_COOKIE)) {
        this.setCookies.push(buf.toString('latin1', vs, ve));
      }
    }
    if (headEnd < 0) return 0;

    // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one: skip them.
    if (status < 200 && status !== 101) {
      this.state = HEAD;
      return headEnd;
    }
    this.status = status;
    this.countValue = countValue;
    this.keepAlive = keepAlive;

    if (this.noBody || status === 204 || status === 304 || status === 101) {
      if (status === 101) this.keepAlive = false;
      this.completed = true;
      this.state = HEAD;
    } else if (chunked) {
      this.state = CHUNK_SIZE;
      this.remaining = 0;
      this.lineLength = 0;
    } else if (otherEncoding || contentLength < 0) {
      this.keepAlive = false;
      this.state = BODY_EOF;
    } else if (contentLength === 0) {
      this.completed = true;
      this.state = HEAD;
    } else {
      this.state = BODY_LENGTH;
      this.remaining = contentLength;
    }
    return headEnd;
  }

  private countString(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    const last = this.lastCountBytes;
    if (length === this.lastCountLength && this.lastCountString !== null) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (buf[start + i] !== last[i]) {
          same = false;
          break;
        }
      }
      if (same) return this.lastCountString;
    }
    const value = buf.toString('latin1', start, end);
    if (length <= last.length) {
      buf.copy(last, 0, start, end);
      this.lastCountLength = length;
      this.lastCountString = value;
    }
    return value;
  }
}
