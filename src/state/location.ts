// Where a stack's state lives: a local file, or an object in S3 (`s3://bucket/path/<stack>.json`).
// Light on purpose (no SDK): `globalsOf` checks `--state` / ALBCTL_STATE with it before anything runs.
import path from 'node:path';
import { UsageError } from '../errors.js';

export type StateLocation = { kind: 'file'; path: string } | { kind: 's3'; bucket: string; key: string };

/** Where the state of `stack` lives, from `--state` / ALBCTL_STATE (a directory or prefix ends with `/`). */
export function stateLocation(raw: string | undefined, stack: string, flag = '--state'): StateLocation {
  if (raw === undefined) return { kind: 'file', path: path.join('.albctl', `${stack}.json`) };
  if (!raw.trim()) throw new UsageError(`${flag} must be a file path or an s3://bucket/key.json URL (got "")`);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1] ?? (/^s3:/i.test(raw) ? 's3:' : undefined);
  if (scheme === undefined) return { kind: 'file', path: raw.endsWith('/') ? path.join(raw, `${stack}.json`) : raw };
  if (scheme !== 's3') throw new UsageError(`${flag} must be a file path or an s3://bucket/key.json URL (got ${JSON.stringify(raw)})`);
  const { bucket, key } = parseS3Url(raw, flag);
  return { kind: 's3', bucket, key: key === '' || key.endsWith('/') ? `${key}${stack}.json` : key };
}

/** `s3://bucket/key` → bucket and key (the key may be a prefix ending with `/`, or empty). */
export function parseS3Url(raw: string, flag: string): { bucket: string; key: string } {
  const bad = (allowed: string): never => {
    throw new UsageError(`${flag} must be ${allowed} (got ${JSON.stringify(raw)})`);
  };
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(raw);
  if (!m) return bad('an s3://bucket/key.json URL');
  const bucket = m[1]!;
  const key = m[2] ?? '';
  const why = bucketProblem(bucket);
  if (why) return bad(`an s3:// URL with a valid bucket name (${why})`);
  // eslint-disable-next-line no-control-regex
  if (/[?#\\]/.test(key) || /[\u0000-\u001f\u007f]/.test(key)) return bad('an s3:// URL whose key has no ?, #, backslash or control characters');
  if (key.startsWith('/') || key.includes('//') || key.split('/').some((s) => s === '.' || s === '..')) {
    return bad('an s3:// URL whose key has no empty, "." or ".." parts');
  }
  if (Buffer.byteLength(key) > 1000) return bad('an s3:// URL whose key is at most 1000 bytes');
  if (key !== '' && !key.endsWith('/') && !key.endsWith('.json')) return bad('an s3://bucket/key.json URL, or a prefix ending with /');
  return { bucket, key };
}

/** What is wrong with an S3 bucket name (the general purpose bucket naming rules), if anything. */
function bucketProblem(b: string): string | undefined {
  if (b.length < 3 || b.length > 63) return '3-63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(b)) return 'lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  if (b.includes('..') || b.includes('.-') || b.includes('-.')) return 'no two dots in a row, no dot next to a hyphen';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(b)) return 'not an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(b) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(b)) return 'no prefix or suffix S3 reserves';
  return undefined;
}

export function formatLocation(loc: StateLocation): string {
  return loc.kind === 's3' ? `s3://${loc.bucket}/${loc.key}` : loc.path;
}

/** The directory or prefix a state location is in (what `albctl list` lists). */
export function folderOf(loc: StateLocation): StateLocation {
  if (loc.kind === 'file') return { kind: 'file', path: path.dirname(loc.path) };
  const slash = loc.key.lastIndexOf('/');
  return { kind: 's3', bucket: loc.bucket, key: slash < 0 ? '' : loc.key.slice(0, slash + 1) };
}

/** `s3://bucket/key` (or a path) as a location, once it is known to be valid. */
export function locationOf(text: string): StateLocation {
  if (!text.startsWith('s3://')) return { kind: 'file', path: text };
  const { bucket, key } = parseS3Url(text, '--state');
  return { kind: 's3', bucket, key };
}
