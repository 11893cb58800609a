// Pure parsers for flag values. Each throws a UsageError that names the flag and what is allowed.
import { UsageError } from '../errors.js';

/** `--flag must be <allowed> (got "raw")`, exit 2. */
export function bad(flag: string, allowed: string, raw: unknown): never {
  throw new UsageError(`${flag} must be ${allowed} (got ${JSON.stringify(String(raw))})`);
}

export function integer(raw: string, flag: string, min: number, max: number): number {
  const text = String(raw).trim();
  if (!/^-?\d+$/.test(text)) bad(flag, `an integer from ${min} to ${max}`, raw);
  const n = Number(text);
  if (n < min || n > max) bad(flag, `an integer from ${min} to ${max}`, raw);
  return n;
}

export function port(raw: string, flag: string): number {
  return integer(raw, flag, 1, 65535);
}

export function oneOf<T extends string>(raw: string, flag: string, choices: readonly T[], opts: { caseless?: boolean } = {}): T {
  const text = String(raw).trim();
  const hit = choices.find((c) => (opts.caseless ? c.toLowerCase() === text.toLowerCase() : c === text));
  if (hit === undefined) bad(flag, `one of ${choices.join(', ')}`, raw);
  return hit;
}

export function list(raw: string, flag: string): string[] {
  const items = String(raw)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) bad(flag, 'a comma-separated list', raw);
  return items;
}

const durationUnits: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `90s`, `15m`, `12h`, `1d` or plain seconds → seconds, within [min, max]. */
export function duration(raw: string, flag: string, min: number, max: number): number {
  const text = String(raw).trim().toLowerCase();
  const m = /^(\d+)([smhd]?)$/.exec(text);
  const allowed = `a duration from ${formatDuration(min)} to ${formatDuration(max)} (like 90s, 15m, 12h, 1d, or seconds)`;
  if (!m) bad(flag, allowed, raw);
  const seconds = Number(m[1]) * (durationUnits[m[2] || 's'] ?? 1);
  if (seconds < min || seconds > max) bad(flag, allowed, raw);
  return seconds;
}

export function formatDuration(seconds: number): string {
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}

/** ELB names (load balancers, target groups): 1-32 letters, digits and hyphens, no hyphen at either end. */
export function elbName(raw: string, flag: string, kind: 'load balancer' | 'target group'): string {
  const name = String(raw).trim();
  if (!/^[A-Za-z0-9-]{1,32}$/.test(name) || name.startsWith('-') || name.endsWith('-')) {
    bad(flag, `a ${kind} name of 1-32 letters, digits and hyphens, not starting or ending with a hyphen`, raw);
  }
  if (kind === 'load balancer' && name.toLowerCase().startsWith('internal-')) {
    bad(flag, 'a load balancer name that does not start with "internal-"', raw);
  }
  return name;
}

/** The stack name prefixes every resource name: `<stack>-alb` must still be a valid ELB name. */
export function stackName(raw: string, flag = '--stack'): string {
  const name = String(raw).trim();
  if (!/^[A-Za-z][A-Za-z0-9-]{0,27}$/.test(name) || name.endsWith('-')) {
    bad(flag, 'a stack name of 1-28 letters, digits and hyphens, starting with a letter and not ending with a hyphen', raw);
  }
  if (name.toLowerCase() === 'internal' || name.toLowerCase().startsWith('internal-')) {
    bad(flag, 'a stack name that does not start with "internal" (load balancer names cannot)', raw);
  }
  return name;
}

export interface InstanceTarget {
  id: string;
  port?: number;
}

/** `i-0abc,i-0def:8081` → instance ids with optional ports. */
export function instanceTargets(raw: string, flag: string): InstanceTarget[] {
  return list(raw, flag).map((item) => {
    const m = /^(i-[0-9a-f]{8}(?:[0-9a-f]{9})?)(?::(\d+))?$/.exec(item);
    if (!m) bad(flag, 'instance ids like i-0123456789abcdef0, each with an optional :port', item);
    const target: InstanceTarget = { id: m[1]! };
    if (m[2] !== undefined) target.port = port(m[2], flag);
    return target;
  });
}

/** Health check success codes: `200`, `200,302`, `200-299`; each code 200-499 (ELBv2's HTTP range). */
export function httpMatcher(raw: string, flag: string): string {
  const text = String(raw).replace(/\s+/g, '');
  const allowed = 'HTTP codes from 200 to 499, like 200, 200,302 or 200-299';
  for (const part of text.split(',')) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part);
    if (!m) bad(flag, allowed, raw);
    const lo = Number(m[1]);
    const hi = m[2] ? Number(m[2]) : lo;
    if (lo < 200 || hi > 499 || hi < lo) bad(flag, allowed, raw);
  }
  return text;
}

export function urlPath(raw: string, flag: string): string {
  const text = String(raw).trim();
  if (!/^\/[\x21-\x7e]{0,1023}$/.test(text)) bad(flag, 'a path starting with "/", at most 1024 printable characters', raw);
  return text;
}

/** `k=v,k2=v2` → tags. Keys 1-128 characters, values up to 256; no `aws:` prefix (reserved by AWS). */
export function tagList(raw: string, flag: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of list(raw, flag)) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    const value = eq < 0 ? '' : item.slice(eq + 1);
    if (!key || key.length > 128 || value.length > 256 || /^aws:/i.test(key)) {
      bad(flag, 'tags like key=value,key2=value2 (keys 1-128 characters, not starting with aws:)', item);
    }
    tags[key] = value;
  }
  return tags;
}

export function awsId(raw: string, flag: string, prefix: string): string {
  const text = String(raw).trim();
  if (!new RegExp(`^${prefix}-[0-9a-f]{8}(?:[0-9a-f]{9})?$`).test(text)) bad(flag, `an id like ${prefix}-0123456789abcdef0`, raw);
  return text;
}

export function awsIds(raw: string, flag: string, prefix: string): string[] {
  return list(raw, flag).map((id) => awsId(id, flag, prefix));
}

/**
 * An IPv4 or IPv6 CIDR (`203.0.113.0/24`, `2001:db8::/32`), canonical: EC2 refuses host bits
 * set (InvalidParameterValue), so `203.0.113.5/24` is a usage error that suggests the fix.
 */
export function cidr(raw: string, flag: string): string {
  const text = String(raw).trim().toLowerCase();
  const allowed = 'a CIDR like 203.0.113.0/24 or 2001:db8::/32';
  const m = /^([0-9a-f:.]+)\/(\d{1,3})$/.exec(text);
  if (!m) bad(flag, allowed, raw);
  const [, addr, lenText] = m as unknown as [string, string, string];
  const len = Number(lenText);
  const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(addr) ? addr.split('.').map(Number) : undefined;
  if (v4) {
    if (v4.some((o) => o > 255) || len > 32) bad(flag, allowed, raw);
    const value = v4.reduce((acc, o) => acc * 256 + o, 0);
    const size = 2 ** (32 - len);
    const network = value - (value % size);
    if (network !== value) {
      const net = [24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join('.');
      throw new UsageError(`${flag} must be a network address: ${text} has host bits set (did you mean ${net}/${len} or ${addr}/32?)`);
    }
    return `${addr.split('.').map(Number).join('.')}/${len}`;
  }
  if (!addr.includes(':') || len > 128) bad(flag, allowed, raw);
  const groups = expandIpv6(addr);
  if (!groups) bad(flag, allowed, raw);
  const bits = groups.map((g) => g.toString(2).padStart(16, '0')).join('');
  if (/1/.test(bits.slice(len))) throw new UsageError(`${flag} must be a network address: ${text} has host bits set`);
  return `${addr}/${len}`;
}

function expandIpv6(addr: string): number[] | undefined {
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === '' ? [] : s.split(':'));
  const head = part(halves[0] ?? '');
  const tail = halves.length === 2 ? part(halves[1] ?? '') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) return undefined;
  const all = [...head, ...Array.from({ length: halves.length === 2 ? missing : 0 }, () => '0'), ...tail];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}
