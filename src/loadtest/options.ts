// The loadtest flags (the README and docs/loadtest.md list them), parsed and validated into one
// typed object. Pure: no file is read here (--ca is read when the run starts); every bad value
// is a UsageError that names the flag and what it accepts.
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';
import { parseAssertions, requireBaseline, type Assertion } from './assert.js';

export type LoadtestMode = 'concurrency' | 'rate';

export interface LoadtestTarget {
  /** The URL as given, normalised. */
  href: string;
  secure: boolean;
  /** What to connect to: a host name or an IP literal (IPv6 without brackets). */
  hostname: string;
  port: number;
  /** The Host header: host plus a non-default port. */
  hostHeader: string;
  /** Path and query. */
  path: string;
  /** TLS SNI: the host name; undefined for IP literals (RFC 6066 forbids them). */
  servername: string | undefined;
}

/** `--connect-to HOST:PORT:ADDR:PORT2`, as curl's: an empty field matches any / keeps the original. */
export interface ConnectRule {
  /** The rule as given, for messages. */
  text: string;
  /** Lower case, IPv6 without brackets; '' matches any host. */
  host: string;
  /** null matches any port. */
  port: number | null;
  /** Where to connect instead; '' keeps the URL's host. */
  address: string;
  /** null keeps the URL's port. */
  addressPort: number | null;
}

/** Where the sockets go: the URL's host and port unless a --connect-to rule maps them elsewhere. */
export interface ConnectTarget {
  hostname: string;
  port: number;
  /** The rule that applied, or null. */
  rule: ConnectRule | null;
}

export interface LoadtestOptions {
  target: LoadtestTarget;
  /** --connect-to rules, in the order given; the first that matches the URL applies. */
  connectTo: ConnectRule[];
  /** Where the sockets connect (the Host header, SNI and certificate checks stay the URL's). */
  connect: ConnectTarget;
  mode: LoadtestMode;
  /** Closed model: the number of virtual users; open model: the most requests in flight. */
  connections: number;
  /** Requests per second over all workers (open model), else null. */
  rate: number | null;
  /** Seconds measured (after warmup); null when only --requests bounds the run. */
  duration: number | null;
  /** Requests measured (after warmup); null when only the duration bounds the run. */
  requests: number | null;
  /** Seconds run before measuring. */
  warmup: number;
  workers: number;
  method: string;
  /** In the order given; names as given. */
  headers: Array<[string, string]>;
  body: string | null;
  /** Per request, in seconds. */
  timeout: number;
  insecure: boolean;
  /** A PEM file to trust, read when the run starts. */
  ca: string | null;
  cookies: boolean;
  /** Lower case. */
  countHeader: string;
  /** Path of the HTML report to write, or null. */
  report: string | null;
  /** --assert thresholds, checked at the end. */
  assertions: Assertion[];
  /** --compare: a previous run's --json document, read before the run. */
  compare: string | null;
  /** --abort-on-fail: stop as soon as an error threshold can no longer pass. */
  abortOnFail: boolean;
}

export const defaults = {
  connections: 50,
  duration: 10,
  timeout: 10,
  warmup: 0,
  method: 'GET',
  countHeader: 'x-served-by',
} as const;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function bad(flag: string, allowed: string, raw: unknown): never {
  throw new UsageError(`${flag} must be ${allowed} (got ${JSON.stringify(raw === undefined ? 'nothing' : String(raw))})`);
}

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

function integerFlag(raw: unknown, flag: string, min: number, max: number): number {
  const text = String(raw).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) bad(flag, `an integer between ${min} and ${max}`, raw);
  return n;
}

function numberFlag(raw: unknown, flag: string, min: number, max: number, unit: string): number {
  const text = String(raw).trim();
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n < min || n > max) bad(flag, `a number between ${min} and ${max} ${unit}`, raw);
  return n;
}

const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/** `500ms`, `2.5s`, `1m`, `1h` or plain seconds → seconds, within [min, max] seconds. */
export function parseSeconds(raw: unknown, flag: string, min: number, max: number): number {
  const allowed = `a duration between ${formatSeconds(min)} and ${formatSeconds(max)} (like 500ms, 30s, 5m, or seconds)`;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw) || raw < min || raw > max) bad(flag, allowed, raw);
    return raw;
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(String(raw).trim().toLowerCase());
  if (!m) bad(flag, allowed, raw);
  const seconds = Number(m[1]) * units[m[2] ?? 's']!;
  if (seconds < min || seconds > max) bad(flag, allowed, raw);
  return seconds;
}

export function formatSeconds(s: number): string {
  if (s === 0) return '0s';
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

export function parseTarget(url: string | undefined): LoadtestTarget {
  if (url === undefined || url.trim() === '') {
    throw new UsageError('loadtest needs a URL (http:// or https://), or a stack with a load balancer');
  }
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    bad('url', 'an http:// or https:// URL', url);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('url', 'an http:// or https:// URL', url);
  if (u.username || u.password) {
    throw new UsageError(`url must not carry credentials; pass -H 'Authorization: ...' instead (got ${JSON.stringify(url)})`);
  }
  const secure = u.protocol === 'https:';
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (hostname === '') bad('url', 'an http:// or https:// URL with a host', url);
  return {
    href: u.href,
    secure,
    hostname,
    port: u.port ? Number(u.port) : secure ? 443 : 80,
    hostHeader: u.host,
    path: `${u.pathname || '/'}${u.search}`,
    servername: isIP(hostname) ? undefined : hostname,
  };
}

const CONNECT_RULE = /^(\[[^\]]*\]|[^:[\]]*):(\d*):(\[[^\]]*\]|[^:[\]]*):(\d*)$/;

function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

export function parseConnectTo(raw: unknown): ConnectRule[] {
  if (!present(raw)) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((item) => {
    const text = String(item).trim();
    const m = CONNECT_RULE.exec(text);
    const allowed = 'HOST:PORT:ADDR:PORT2 (as curl\'s; empty HOST or PORT match any, IPv6 in brackets), like my-alb.example.com:443:127.0.0.1:8443';
    if (!m) bad('--connect-to', allowed, item);
    const port = (p: string): number | null => {
      if (p === '') return null;
      const n = Number(p);
      if (n < 1 || n > 65535) bad('--connect-to', `${allowed}, with ports between 1 and 65535`, item);
      return n;
    };
    return { text, host: unbracket(m[1]!).toLowerCase(), port: port(m[2]!), address: unbracket(m[3]!), addressPort: port(m[4]!) };
  });
}

/** The first rule whose HOST and PORT match the URL (curl's order), applied. */
export function connectTarget(target: Pick<LoadtestTarget, 'hostname' | 'port'>, rules: ConnectRule[]): ConnectTarget {
  const host = target.hostname.toLowerCase();
  const rule = rules.find((r) => (r.host === '' || r.host === host) && (r.port === null || r.port === target.port)) ?? null;
  if (rule === null) return { hostname: target.hostname, port: target.port, rule: null };
  return { hostname: rule.address === '' ? target.hostname : rule.address, port: rule.addressPort ?? target.port, rule };
}

function parseHeaders(raw: unknown): Array<[string, string]> {
  if (!present(raw)) return [];
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((item) => {
    const text = String(item);
    const colon = text.indexOf(':');
    const name = colon > 0 ? text.slice(0, colon).trim() : '';
    const value = colon > 0 ? text.slice(colon + 1).trim() : '';
    if (!TOKEN.test(name) || /[\r\n\0]/.test(value)) bad('--header', '"Name: value" with a token name and no line breaks', item);
    return [name, value] as [string, string];
  });
}

/**
 * Validates raw flag values (strings from commander, or numbers and booleans from code) and the
 * URL into LoadtestOptions. Unknown keys (global options) are ignored.
 */
export function parseLoadtestOptions(
  raw: Record<string, unknown>,
  url: string | undefined,
  env: { cpus?: number } = {},
): LoadtestOptions {
  const target = parseTarget(url);
  const connectTo = parseConnectTo(raw.connectTo);
  const connect = connectTarget(target, connectTo);

  const connections = present(raw.connections) ? integerFlag(raw.connections, '--connections', 1, 10_000) : defaults.connections;
  const rate = present(raw.rate) ? numberFlag(raw.rate, '--rate', 0.1, 10_000_000, 'requests per second') : null;
  const requests = present(raw.requests) ? integerFlag(raw.requests, '--requests', 1, 1_000_000_000) : null;
  let duration = present(raw.duration) ? parseSeconds(raw.duration, '--duration', 0.1, 86_400) : null;
  if (duration === null && requests === null) duration = defaults.duration;
  const warmup = present(raw.warmup) ? parseSeconds(raw.warmup, '--warmup', 0, 3600) : defaults.warmup;
  const timeout = present(raw.timeout) ? parseSeconds(raw.timeout, '--timeout', 0.01, 3600) : defaults.timeout;

  const cpus = env.cpus ?? availableParallelism();
  let workers: number;
  if (present(raw.workers)) {
    workers = integerFlag(raw.workers, '--workers', 1, 64);
    if (workers > connections) {
      throw new UsageError(`--workers must not exceed --connections: each worker needs a connection (got ${workers} workers for ${connections} connections)`);
    }
  } else {
    workers = autoWorkers(cpus, connections, rate, isLoopback(connect.hostname));
  }
  if (requests !== null) workers = Math.min(workers, requests);

  const method = present(raw.method) ? String(raw.method).trim().toUpperCase() : defaults.method;
  if (!TOKEN.test(method)) bad('--method', 'an HTTP method such as GET, HEAD, POST, PUT, DELETE', raw.method);
  if (method === 'CONNECT') bad('--method', 'an HTTP method other than CONNECT', raw.method);

  const headers = parseHeaders(raw.header ?? raw.headers);
  const body = present(raw.body) ? String(raw.body) : null;

  const insecure = raw.insecure === true || raw.insecure === 'true';
  const ca = present(raw.ca) ? String(raw.ca).trim() : null;
  if (ca === '') bad('--ca', 'the path of a PEM certificate file', raw.ca);
  if (insecure && ca !== null) throw new UsageError('--ca and --insecure cannot be used together: --ca verifies with that certificate, --insecure skips verification');

  const cookies = !(raw.cookies === false || raw.cookies === 'false' || raw.noCookies === true);

  const countHeader = present(raw.countHeader) ? String(raw.countHeader).trim().toLowerCase() : defaults.countHeader;
  if (!TOKEN.test(countHeader)) bad('--count-header', 'a header name such as x-served-by', raw.countHeader);

  let report: string | null = null;
  if (present(raw.report)) {
    report = String(raw.report).trim();
    if (report === '') bad('--report', 'the path of an HTML file to write', raw.report);
  }

  const assertions = parseAssertions(raw.assert);
  let compare: string | null = null;
  if (present(raw.compare)) {
    compare = String(raw.compare).trim();
    if (compare === '') bad('--compare', 'the path of a previous run\'s --json document', raw.compare);
  }
  requireBaseline(assertions, compare !== null);
  const abortOnFail = raw.abortOnFail === true || raw.abortOnFail === 'true';
  if (abortOnFail && !assertions.some((a) => a.metric === 'errors' || a.metric === 'non2xx')) {
    throw new UsageError('--abort-on-fail needs an error threshold to watch, like --assert "errors < 1%" or --assert "non2xx < 5%"');
  }

  return {
    target,
    connectTo,
    connect,
    mode: rate === null ? 'concurrency' : 'rate',
    connections,
    rate,
    duration,
    requests,
    warmup,
    workers,
    method,
    headers,
    body,
    timeout,
    insecure,
    ca,
    cookies,
    countHeader,
    report,
    assertions,
    compare,
    abortOnFail,
  };
}

/** localhost, 127.0.0.0/8, ::1: the server shares this machine's cores with the client. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}

/**
 * One worker thread per core, or per two cores when the server runs on this machine too (it
 * needs the others); never more than the connections; one for light loads, which a single
 * event loop carries with room to spare (docs/loadtest.md has the measurements).
 */
export function autoWorkers(cpus: number, connections: number, rate: number | null, loopback = false): number {
  if (rate !== null && rate < 20_000) return 1;
  if (connections < 8) return 1;
  const cores = loopback ? Math.floor(cpus / 2) : cpus;
  return Math.max(1, Math.min(cores, connections));
}
