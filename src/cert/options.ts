// Flags of `albctl cert`: one parser per flag (so the inputs layer can reuse them for its
// questions) and validateCertOptions, which applies them all and fills the defaults.
// Every failure is a UsageError whose message starts with the flag.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

export const ALLOWED_BITS = [2048, 3072, 4096] as const;
export type RsaBits = (typeof ALLOWED_BITS)[number];

export const DEFAULT_BITS: RsaBits = 2048;
export const DEFAULT_DAYS = 365;
/** Self-signed, so no CA/Browser Forum cap applies; ten years is a sanity bound. */
export const MAX_DAYS = 3650;
/** Apple platforms refuse TLS server certificates valid for longer than this, even self-trusted ones. */
export const APPLE_MAX_DAYS = 825;
/** X.509 ub-common-name (RFC 5280 appendix A). */
export const MAX_CN_LENGTH = 64;
/** IAM ServerCertificateName: at most 128 characters of [\w+=,.@-]. */
export const MAX_CERT_NAME_LENGTH = 128;
export const MAX_SAN_ENTRIES = 100;
/** A certificate that expires within this many days is a warning (`status`, `init`), and `init` rotates it. */
export const EXPIRY_WARNING_DAYS = 30;

export interface RawCertOptions {
  out?: string;
  cn?: string;
  /** `a.example.com,b.example.com`; commander gives an array when the flag is repeated. */
  san?: string | string[];
  days?: string | number;
  bits?: string | number;
  name?: string;
  upload?: boolean;
}

export interface CertOptionsContext {
  stack: string;
  /** The load balancer's DNS name when the state has one: the default CN and SAN. */
  dnsName?: string;
  /** For the default `--name` timestamp. */
  now?: Date;
  /** Relative `--out` paths resolve against this; default process.cwd(). */
  cwd?: string;
}

export interface CertOptions {
  /** Absolute path of the directory the four files go into. */
  outDir: string;
  cn: string;
  /** DNS names and IP literals, lower-cased, de-duplicated, in the order given. */
  san: string[];
  days: number;
  bits: RsaBits;
  /** IAM server certificate name (used with --upload). */
  name: string;
  upload: boolean;
  /** Things worth telling the user that are not errors (e.g. Apple's 825-day limit). */
  warnings: string[];
}

/** `.albctl/<stack>/cert`, next to the default state file `.albctl/<stack>.json` (gitignored). */
export function defaultCertDir(stack: string): string {
  return `.albctl/${stack}/cert`;
}

/** `<stack>-cert-<yyyymmddhhmm>` in UTC: the IAM certificate's name, as every resource name, derives from the stack. */
export function defaultCertName(stack: string, now: Date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}` +
    `${p(now.getUTCHours())}${p(now.getUTCMinutes())}`;
  return `${stack}-cert-${stamp}`;
}

export function parseCn(raw: string, flag = '--cn'): string {
  const cn = raw.trim();
  if (cn === '') throw new UsageError(`${flag} must not be empty`);
  // Counted in characters (code points), as ub-common-name is.
  const length = [...cn].length;
  if (length > MAX_CN_LENGTH) {
    throw new UsageError(
      `${flag} must be at most ${MAX_CN_LENGTH} characters (got ${length}): ` +
        'use a short name (e.g. the stack name) and put a long DNS name in --san',
    );
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(cn)) throw new UsageError(`${flag} must not contain control characters`);
  return cn;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A DNS name (optionally `*.` wildcard in the first label) or an IPv4/IPv6 literal; lower-cased. */
export function parseSanEntry(raw: string, flag = '--san'): string {
  const entry = raw.trim();
  if (isIP(entry)) return entry.toLowerCase();
  const name = entry.toLowerCase().replace(/\.$/, '');
  const bad = (why: string) =>
    new UsageError(`${flag}: ${JSON.stringify(raw)} is not a valid DNS name or IP address (${why})`);
  if (name.length === 0) throw bad('empty');
  if (name.length > 253) throw bad(`${name.length} characters, at most 253`);
  const labels = name.split('.');
  labels.forEach((label, i) => {
    if (i === 0 && label === '*' && labels.length > 2) return; // *.example.com, not *.com
    if (label.length === 0) throw bad('empty label');
    if (label.length > 63) throw bad(`label "${label.slice(0, 16)}…" is longer than 63 characters`);
    if (!LABEL.test(label)) throw bad(`label "${label}": letters, digits and inner hyphens only`);
  });
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) throw bad('the last label is numeric, yet it is not an IP address');
  return name;
}

/** Comma-separated, possibly repeated; empty items are skipped, duplicates dropped. */
export function parseSan(raw: string | string[], flag = '--san'): string[] {
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((s) => s.split(','));
  const out: string[] = [];
  for (const item of items) {
    if (item.trim() === '') continue;
    const entry = parseSanEntry(item, flag);
    if (!out.includes(entry)) out.push(entry);
  }
  if (out.length > MAX_SAN_ENTRIES) {
    throw new UsageError(`${flag} accepts at most ${MAX_SAN_ENTRIES} names (got ${out.length})`);
  }
  return out;
}

function parseInteger(raw: string | number, flag: string, what: string): number {
  const text = String(raw).trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} must be ${what} (got ${JSON.stringify(String(raw))})`);
  return Number(text);
}

export function parseDays(raw: string | number, flag = '--days'): number {
  const what = `a whole number of days from 1 to ${MAX_DAYS}`;
  const days = parseInteger(raw, flag, what);
  if (days < 1 || days > MAX_DAYS) throw new UsageError(`${flag} must be ${what} (got ${days})`);
  return days;
}

export function parseBits(raw: string | number, flag = '--bits'): RsaBits {
  const bits = Number(String(raw).trim());
  const allowed = ALLOWED_BITS as readonly number[];
  if (!allowed.includes(bits)) {
    throw new UsageError(`${flag} must be 2048, 3072 or 4096 (got ${String(raw)})`);
  }
  return bits as RsaBits;
}

export function parseCertName(raw: string, flag = '--name'): string {
  const name = raw.trim();
  if (name.length === 0 || name.length > MAX_CERT_NAME_LENGTH) {
    throw new UsageError(`${flag} must be 1 to ${MAX_CERT_NAME_LENGTH} characters (got ${name.length})`);
  }
  if (!/^[A-Za-z0-9_+=,.@-]+$/.test(name)) {
    throw new UsageError(
      `${flag} may contain only letters, digits and _+=,.@- (IAM server certificate names; got ${JSON.stringify(name)})`,
    );
  }
  return name;
}

function isDnsOrIp(value: string): boolean {
  try {
    parseSanEntry(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Defaults: CN = the load balancer's DNS name when known and at most 64 characters, else the
 * stack name; SAN = the DNS name when known, else the CN when it is a DNS name or IP, else none.
 * An explicit --san replaces the default (the CN is not added to it: clients ignore the CN when
 * a SAN is present, so list every name there).
 */
export function validateCertOptions(raw: RawCertOptions, ctx: CertOptionsContext): CertOptions {
  const warnings: string[] = [];
  const dnsName = ctx.dnsName ? parseSanEntry(ctx.dnsName, 'the load balancer DNS name') : undefined;

  let cn: string;
  if (raw.cn !== undefined) cn = parseCn(raw.cn);
  else if (dnsName && dnsName.length <= MAX_CN_LENGTH) cn = dnsName;
  else cn = parseCn(ctx.stack, '--stack (the default --cn)');

  let san: string[];
  if (raw.san !== undefined) san = parseSan(raw.san);
  else if (dnsName) san = [dnsName];
  else san = isDnsOrIp(cn) ? [parseSanEntry(cn)] : [];
  if (san.length === 0) {
    warnings.push('the certificate has no subjectAltName: TLS clients will not match it to a host name (pass --san)');
  }

  const days = raw.days === undefined ? DEFAULT_DAYS : parseDays(raw.days);
  if (days > APPLE_MAX_DAYS) {
    warnings.push(`--days ${days}: Apple platforms reject TLS server certificates valid for more than ${APPLE_MAX_DAYS} days`);
  }

  const bits = raw.bits === undefined ? DEFAULT_BITS : parseBits(raw.bits);
  const name =
    raw.name === undefined
      ? parseCertName(defaultCertName(ctx.stack, ctx.now), '--stack (the default --name)')
      : parseCertName(raw.name);

  const out = raw.out === undefined ? defaultCertDir(ctx.stack) : raw.out.trim();
  if (out === '') throw new UsageError('--out must name a directory');
  const outDir = resolve(ctx.cwd ?? process.cwd(), out);

  return { outDir, cn, san, days, bits, name, upload: raw.upload === true, warnings };
}
