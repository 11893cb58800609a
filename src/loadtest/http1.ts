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
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

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

  private fail(message: string): number {
    this.error = message;
    this.state = HEAD;
    this.headLength = 0;
    return -1;
  }

  /** Reads the header block; returns the offset after it, or -1. */
  private readHead(buf: Buffer, pos: number, end: number): number {
    if (this.headLength === 0) {
      const at = buf.indexOf(END_OF_HEAD, pos);
      if (at >= 0 && at + 4 <= end) {
        return this.parseHead(buf, pos, at + 4) ? at + 4 : -1;
      }
      return this.stash(buf, pos, end);
    }
    return this.stash(buf, pos, end);
  }

  /** Appends a partial header block to `head`; parses it once its end has arrived. */
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
    const from = Math.max(0, before - 3);
    const at = this.head.subarray(0, need).indexOf(END_OF_HEAD, from);
    if (at < 0) return end;
    const headEnd = at + 4;
    this.headLength = 0;
    if (!this.parseHead(this.head, 0, headEnd)) return -1;
    return pos + (headEnd - before);
  }

  /** Parses a complete header block buf[start, end) (ending in CRLFCRLF). */
  private parseHead(buf: Buffer, start: number, end: number): boolean {
    // Status line: HTTP/1.x SP 3DIGIT [SP reason] CRLF
    if (
      end - start < 14 ||
      buf[start] !== 72 || buf[start + 1] !== 84 || buf[start + 2] !== 84 || buf[start + 3] !== 80 ||
      buf[start + 4] !== 47 || buf[start + 5] !== 49 || buf[start + 6] !== 46
    ) {
      this.fail('not an HTTP/1.x response');
      return false;
    }
    const minor = buf[start + 7]! - 48;
    const d0 = buf[start + 9]! - 48;
    const d1 = buf[start + 10]! - 48;
    const d2 = buf[start + 11]! - 48;
    if (
      (minor !== 0 && minor !== 1) || buf[start + 8] !== SP ||
      d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9 ||
      (buf[start + 12] !== SP && buf[start + 12] !== CR)
    ) {
      this.fail('malformed status line');
      return false;
    }
    const status = d0 * 100 + d1 * 10 + d2;
    let keepAlive = minor === 1;
    let contentLength = -1;
    let chunked = false;
    let otherEncoding = false;
    let countValue: string | null = null;
    if (this.wantCookies) this.setCookies.length = 0;

    let pos = buf.indexOf(LF, start + 12);
    if (pos < 0 || pos >= end) {
      this.fail('malformed status line');
      return false;
    }
    pos++;
    const countName = this.countName;
    // Header lines until the empty line.
    while (pos < end) {
      if (buf[pos] === CR && buf[pos + 1] === LF) break;
      const lineStart = pos;
      let colon = -1;
      while (pos < end) {
        const c = buf[pos]!;
        if (c === LF) break;
        if (c === COLON && colon < 0) colon = pos;
        pos++;
      }
      const lineEnd = pos; // at LF
      pos++;
      if (colon <= lineStart) {
        this.fail('malformed header line');
        return false;
      }
      let vs = colon + 1;
      let ve = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      while (vs < ve && (buf[vs] === SP || buf[vs] === HTAB)) vs++;
      while (ve > vs && (buf[ve - 1] === SP || buf[ve - 1] === HTAB)) ve--;
      const nameLength = colon - lineStart;

      if (countName !== null && nameLength === countName.length && equalsLower(buf, lineStart, colon, countName)) {
        countValue = this.countString(buf, vs, ve);
      } else if (nameLength === 14 && equalsLower(buf, lineStart, colon, CONTENT_LENGTH)) {
        let n = 0;
        if (ve === vs || ve - vs > 15) {
          this.fail('malformed Content-Length');
          return false;
        }
        for (let i = vs; i < ve; i++) {
          const d = buf[i]! - 48;
          if (d < 0 || d > 9) {
            this.fail('malformed Content-Length');
            return false;
          }
          n = n * 10 + d;
        }
        if (contentLength >= 0 && contentLength !== n) {
          this.fail('conflicting Content-Length headers');
          return false;
        }
        contentLength = n;
      } else if (nameLength === 17 && equalsLower(buf, lineStart, colon, TRANSFER_ENCODING)) {
        // The final coding decides: "gzip, chunked" is chunked; "chunked, gzip" is not framed.
        if (ve - vs >= 7 && equalsLower(buf, ve - 7, ve, CHUNKED) && (ve - vs === 7 || buf[ve - 8] === SP || buf[ve - 8] === 44)) {
          chunked = true;
          otherEncoding = false;
        } else {
          chunked = false;
          otherEncoding = true;
        }
      } else if (nameLength === 10 && equalsLower(buf, lineStart, colon, CONNECTION)) {
        if (equalsLower(buf, vs, ve, CLOSE)) keepAlive = false;
        else if (equalsLower(buf, vs, ve, KEEP_ALIVE)) keepAlive = true;
        else {
          const tokens = buf.toString('latin1', vs, ve).toLowerCase().split(',').map((t) => t.trim());
          if (tokens.includes('close')) keepAlive = false;
          else if (tokens.includes('keep-alive')) keepAlive = true;
        }
      } else if (this.wantCookies && nameLength === 10 && equalsLower(buf, lineStart, colon, SET_COOKIE)) {
        this.setCookies.push(buf.toString('latin1', vs, ve));
      }
    }

    // 1xx interim responses (100 Continue, 103 Early Hints) precede the real one: skip them.
    if (status < 200 && status !== 101) {
      this.state = HEAD;
      return true;
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
    return true;
  }

  private countString(buf: Buffer, start: number, end: number): string {
    const length = end - start;
    if (
      length === this.lastCountLength &&
      this.lastCountString !== null &&
      buf.compare(this.lastCountBytes, 0, length, start, end) === 0
    ) {
      return this.lastCountString;
    }
    const value = buf.toString('latin1', start, end);
    if (length <= this.lastCountBytes.length) {
      buf.copy(this.lastCountBytes, 0, start, end);
      this.lastCountLength = length;
      this.lastCountString = value;
    }
    return value;
  }
}
