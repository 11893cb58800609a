// One keep-alive connection on a raw net/tls socket, carrying one request at a time for one
// virtual user. It reconnects when the server closes, times out through its `deadline` (checked
// by the worker's sweep, so no timer per request), and reports each outcome to its host: a
// response, or an error of one kind. Sockets read into one Buffer reused for every read
// (`onread`), so the hot path allocates nothing but what Node needs to write.
import net from 'node:net';
import tls from 'node:tls';
import { CookieJar } from './cookies.js';
import { ResponseParser } from './http1.js';
import type { ErrorKind } from './protocol.js';
import { requestBytes, type RequestTemplate } from './request.js';

export interface ConnectionSettings {
  secure: boolean;
  port: number;
  servername: string | undefined;
  /** The certificate must be valid for this name: the URL's host, wherever --connect-to connects. */
  verifyHost: string;
  /** For cookies' domain and Secure checks. */
  host: string;
  path: string;
  ca: string | null;
  insecure: boolean;
  timeoutMs: number;
  cookies: boolean;
  countHeader: string;
  template: RequestTemplate;
  /** Shared by a worker's plain connections: each read is parsed before the next. */
  readBuffer: Buffer;
}

export interface ConnectionHost {
  /** A complete response; `parser` describes it. */
  responded(conn: Connection, now: number): void;
  failed(conn: Connection, kind: ErrorKind, message: string, now: number): void;
  /** Bytes read from any socket, warmup included; the host decides what counts. */
  received(bytes: number): void;
  /** A socket connected (and finished its TLS handshake) to `conn.address`. */
  connected(conn: Connection): void;
}

const TLS_CODES = new Set([
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENOTFOUND', 'EAI_AGAIN']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED', 'ERR_SOCKET_CLOSED']);

/** Sorts a socket error into the kinds the report counts. */
export function classifyError(err: Error & { code?: string; library?: string }, duringTlsHandshake: boolean): ErrorKind {
  const code = err.code ?? '';
  if (REFUSED_CODES.has(code)) return 'refused';
  if (code === 'ETIMEDOUT') return 'timeout';
  if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_')) return 'tls';
  if (err.library !== undefined && /SSL/i.test(err.library)) return 'tls';
  // A server that does not speak TLS, or rejects our hello, often just hangs up.
  if (duringTlsHandshake) return 'tls';
  if (RESET_CODES.has(code)) return 'reset';
  return 'other';
}

export class Connection {
  readonly id: number;
  readonly parser: ResponseParser;
  readonly jar: CookieJar | null;
  /** A request is in flight (or waiting for the socket to connect). */
  busy = false;
  /** performance.now() when the request was sent (or connecting began for it). */
  sentAt = 0;
  /** When the request should have started: the open model's schedule; sentAt otherwise. */
  intendedAt = 0;
  /** Time after which the request in flight has timed out. */
  deadline = Infinity;
  /** Stickiness: the first target this user saw, and whether it saw another one since. */
  firstTarget: string | null = null;
  sawOtherTarget = false;
  /** Where the next socket connects; the worker changes it when DNS answers differently. */
  address: string;
  family: number;

  private readonly settings: ConnectionSettings;
  private readonly host: ConnectionHost;
  private socket: net.Socket | null = null;
  private connected = false;
  private handshaking = false;
  private request: Buffer;
  private session: Buffer | undefined;

  constructor(id: number, address: { address: string; family: number }, settings: ConnectionSettings, host: ConnectionHost) {
    this.id = id;
    this.address = address.address;
    this.family = address.family;
    this.settings = settings;
    this.host = host;
    this.parser = new ResponseParser({ countHeader: settings.countHeader, cookies: settings.cookies });
    this.parser.expectNoBody(settings.template.noBody);
    this.jar = settings.cookies ? new CookieJar({ host: settings.host, path: settings.path, secure: settings.secure }) : null;
    this.request = settings.template.plain;
  }

  /** Opens the socket ahead of the first request; resolves once connected or failed. */
  preconnect(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket !== null) return resolve();
      const socket = this.open();
      const done = (): void => {
        socket.setTimeout(0); // an idle timer would be re-armed on every read and write
        socket.off('error', done);
        socket.off('close', done);
        resolve();
      };
      socket.once(this.settings.secure ? 'secureConnect' : 'connect', done);
      socket.once('error', done);
      socket.once('close', done);
      socket.setTimeout(this.settings.timeoutMs, () => socket.destroy());
    });
  }

  /** Sends the request now (`now` = performance.now()), intended to start at `intended`. */
  send(now: number, intended: number): void {
    this.busy = true;
    this.sentAt = now;
    this.intendedAt = intended;
    this.deadline = now + this.settings.timeoutMs;
    const jar = this.jar;
    if (jar !== null && jar.nextExpiry !== Infinity && jar.expire(Date.now())) this.rebuildRequest();
    if (this.connected) {
      this.socket!.write(this.request);
    } else if (this.socket === null) {
      this.open();
    }
    // else: connecting; the request goes out on connect.
  }

  /** The worker's sweep: fail a request that has outlived --timeout. */
  checkTimeout(now: number): void {
    if (this.busy && now > this.deadline) {
      const waited = Math.round(this.settings.timeoutMs);
      this.fail('timeout', this.connected ? `no response within ${waited} ms` : `could not connect within ${waited} ms`, now);
    }
  }

  close(): void {
    this.busy = false;
    this.deadline = Infinity;
    this.drop();
  }

  private open(): net.Socket {
    const s = this.settings;
    this.parser.reset();
    this.connected = false;
    // Both read into the worker's one Buffer (`onread`): no Buffer per read. tls.connect takes
    // the option too (documented there) though @types/node does not declare it.
    const onread = {
      buffer: s.readBuffer,
      callback: (nread: number, buf: Uint8Array): boolean => {
        if (this.socket === socket) this.onData(buf as Buffer, nread);
        return true;
      },
    };
    let socket: net.Socket;
    if (s.secure) {
      this.handshaking = true;
      const options: tls.ConnectionOptions & { onread: typeof onread } = {
        host: this.address,
        port: s.port,
        servername: s.servername,
        ca: s.ca ?? undefined,
        rejectUnauthorized: !s.insecure,
        // Node checks against servername, or the address connected to when there is none (an IP
        // literal URL); --connect-to must not change which name the certificate is checked for.
        checkServerIdentity: (_host, cert) => tls.checkServerIdentity(s.verifyHost, cert),
        session: this.session,
        ALPNProtocols: ['http/1.1'],
        onread,
      };
      socket = tls.connect(options);
      socket.setNoDelay(true);
      socket.on('session', (session: Buffer) => {
        this.session = session;
      });
    } else {
      socket = net.connect({ host: this.address, family: this.family, port: s.port, noDelay: true, onread });
    }
    this.socket = socket;
    socket.once(s.secure ? 'secureConnect' : 'connect', () => {
      if (this.socket !== socket) return;
      this.connected = true;
      this.handshaking = false;
      this.host.connected(this);
      if (this.busy) socket.write(this.request);
    });
    socket.on('error', (err: Error & { code?: string }) => {
      if (this.socket !== socket) return;
      const kind = classifyError(err, this.handshaking);
      if (this.busy) this.fail(kind, describe(err, kind, this.address, s), performance.now());
      else this.drop();
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.ended();
    });
    socket.on('end', () => {
      if (this.socket !== socket) return;
      this.ended();
    });
    return socket;
  }

  private onData(buf: Buffer, end: number): void {
    this.host.received(end);
    if (!this.busy) {
      // Bytes on an idle connection (a 408 before an idle close, say) answer no request of ours:
      // drop the connection, as browsers do; the next request opens a new one.
      this.drop();
      return;
    }
    const parser = this.parser;
    let pos = 0;
    while (pos < end) {
      const next = parser.execute(buf, pos, end);
      if (next < 0) {
        this.fail('parse', `malformed response: ${parser.error}`, performance.now());
        return;
      }
      pos = next;
      if (parser.completed) {
        if (pos < end) {
          this.fail('parse', 'the server sent more bytes than the response', performance.now());
          return;
        }
        this.completed(performance.now());
        return;
      }
    }
  }

  /** The server closed (FIN or error-free close). */
  private ended(): void {
    if (this.busy && this.parser.finish()) {
      this.drop();
      this.completed(performance.now());
      return;
    }
    if (this.busy) {
      const kind: ErrorKind = this.handshaking ? 'tls' : 'reset';
      const message = this.handshaking
        ? 'the server closed the connection during the TLS handshake'
        : 'the server closed the connection before the response ended';
      this.fail(kind, message, performance.now());
      return;
    }
    this.drop();
  }

  private completed(now: number): void {
    this.busy = false;
    this.deadline = Infinity;
    const parser = this.parser;
    if (this.jar !== null && parser.setCookies.length > 0) {
      let changed = false;
      const wall = Date.now();
      for (const header of parser.setCookies) if (this.jar.set(header, wall)) changed = true;
      if (changed) this.rebuildRequest();
    }
    if (!parser.keepAlive) this.drop();
    this.host.responded(this, now);
  }

  private fail(kind: ErrorKind, message: string, now: number): void {
    this.busy = false;
    this.deadline = Infinity;
    this.drop();
    this.host.failed(this, kind, message, now);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    this.connected = false;
    this.handshaking = false;
    this.parser.reset();
    if (socket !== null) socket.destroy();
  }

  private rebuildRequest(): void {
    this.request = requestBytes(this.settings.template, this.jar!.header());
  }
}

/** `address:port`, IPv6 in brackets. */
export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

function describe(err: Error & { code?: string; reason?: string }, kind: ErrorKind, address: string, s: ConnectionSettings): string {
  const where = hostPort(address, s.port);
  if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `${where}: TLS: the server answered plain HTTP on a TLS port (try http://)`;
  const text = `${tlsMessage(err)}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
  if (kind === 'tls' && !s.insecure) return `${where}: TLS: ${text}; trust the server's certificate with --ca <file>, or skip verification with --insecure`;
  return `${where}: ${text}`;
}

/**
 * OpenSSL's messages carry its internals ("40FD…:error:0A00010B:SSL routines:…:77:"): keep its
 * reason. Node adds advice about its own flags (--use-system-ca) that albctl users cannot act on.
 */
export function tlsMessage(err: Error & { reason?: string; library?: string }): string {
  const base = err.library !== undefined && typeof err.reason === 'string' && err.reason !== '' ? err.reason : err.message;
  return base.replace(/; if the root CA is installed locally, try running Node\.js with --use-system-ca/, '').replace(/;?\s*try running Node\.js with [^;]*$/, '').trim();
}
