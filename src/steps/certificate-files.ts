// The four files of the seed's openssl commands, made by src/cert: private.pem (0600), public.pem,
// certificate.csr, certificate.crt. CN and SAN default to the load balancer's DNS name when the
// state has one. The outputs hold paths and the fingerprint, never the key.
import { constants, existsSync } from 'node:fs';
import { access, lstat, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import {
  BACKDATE_MS,
  CERT_FILE_NAMES,
  EXPIRY_WARNING_DAYS,
  defaultCertDir,
  discardStagedCertificateFiles,
  generateCertificate,
  readCertificateFile,
  removeStaleCertificateTemps,
  validateCertOptions,
  writeCertificateFiles,
  type CertOptions,
} from '../cert/index.js';
import { flagIn, maybe, type Ctx } from '../engine/context.js';
import { certForce, certOut } from '../inputs/cert.js';
import { UsageError } from '../errors.js';
import type { ResourceRecord } from '../state/schema.js';
import type { LoadBalancerOut } from './load-balancer.js';
import { rotationDue } from './certificate-rotation.js';
import type { Found, StatusRow, Step } from './types.js';

export interface CertificateFilesOut extends Record<string, unknown> {
  dir: string;
  certificate: string;
  privateKey: string;
  publicKey: string;
  csr: string;
  cn: string;
  san: string[];
  days: number;
  bits: number;
  notBefore: string;
  notAfter: string;
  serial: string;
  fingerprintSha256: string;
  privateKeyPresent: boolean;
}

const DAY_MS = 86_400_000;

/** The flags applied through src/cert's own validation, with the load balancer's DNS name as the default CN/SAN. */
export function certOptions(ctx: Ctx): CertOptions {
  const lb = maybe<LoadBalancerOut>(ctx, 'loadBalancer');
  return validateCertOptions(
    {
      out: ctx.inputs.certOut,
      cn: ctx.inputs.certCn,
      san: ctx.inputs.certSan,
      days: ctx.inputs.certDays,
      bits: ctx.inputs.certBits,
      name: ctx.inputs.certificateName,
    },
    { stack: ctx.stack, dnsName: lb?.dnsName || undefined },
  );
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw err;
  }
}

/**
 * Before anything changes (init builds the load balancer before the files): --out must be a
 * directory or a path albctl can create one at, not below a file.
 */
async function check(ctx: Ctx): Promise<void> {
  const dir = certOptions(ctx).outDir;
  for (let d = dir; ; d = dirname(d)) {
    try {
      if ((await stat(d)).isDirectory()) return;
      throw new UsageError(`${flagIn(ctx, certOut)} ${dir}: ${d} is not a directory`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || dirname(d) === d) throw err;
    }
  }
}

export async function readFiles(dir: string): Promise<Found<CertificateFilesOut> | undefined> {
  const path = (f: keyof typeof CERT_FILE_NAMES) => join(dir, CERT_FILE_NAMES[f]);
  if (!(await exists(path('certificate')))) return undefined;
  const info = await readCertificateFile(path('certificate'), { flag: '--out' });
  const notBefore = info.notBefore.getTime();
  const notAfter = info.notAfter.getTime();
  return {
    id: path('certificate'),
    name: dir,
    // Files carry no tags: the state records them, and destroy compares the fingerprint.
    owned: true,
    outputs: {
      dir,
      certificate: path('certificate'),
      privateKey: path('privateKey'),
      publicKey: path('publicKey'),
      csr: path('csr'),
      cn: info.subjectCn ?? '',
      san: [...info.dnsNames, ...info.ipAddresses],
      days: Math.round((notAfter - notBefore - BACKDATE_MS) / DAY_MS),
      bits: info.keyBits ?? 0,
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      serial: info.serial,
      fingerprintSha256: info.fingerprintSha256,
      privateKeyPresent: await access(path('privateKey'), constants.R_OK).then(
        () => true,
        () => false,
      ),
    },
  };
}

/**
 * With the state in S3 the files stay on the machine that made them (the private key never leaves
 * it): a run elsewhere, which does not have their directory, leaves the record as it is; the IAM
 * certificate serves HTTPS. `--cert-force` makes files here instead.
 */
function madeElsewhere(ctx: Ctx): ResourceRecord | undefined {
  const rec = ctx.state.resource('certificateFiles');
  if (!ctx.state.backend.remote || rec?.status !== 'created' || ctx.inputs.certForce === true) return undefined;
  const dir = rec.outputs?.dir;
  return typeof dir === 'string' && !existsSync(dir) ? rec : undefined;
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<CertificateFilesOut> | undefined> {
  const there = madeElsewhere(ctx);
  if (there) return { id: there.id ?? '', name: there.name, owned: true, outputs: there.outputs as CertificateFilesOut };
  const dir = typeof rec?.outputs?.dir === 'string' ? rec.outputs.dir : (rec?.name ?? certOptions(ctx).outDir);
  return readFiles(dir);
}

async function write(ctx: Ctx, overwrite: boolean): Promise<Found<CertificateFilesOut>> {
  const o = certOptions(ctx);
  for (const w of o.warnings) ctx.ui.warn(w);
  const generated = generateCertificate({ cn: o.cn, san: o.san, days: o.days, bits: o.bits });
  await writeCertificateFiles(o.outDir, generated, { overwrite });
  return (await readFiles(o.outDir))!;
}

/**
 * A run that died while writing the files (the state still says `creating` for this directory)
 * may have left part of the set, e.g. private.pem without certificate.crt. Those files are
 * albctl's own, half-written: replace them rather than ask for --force.
 */
function interruptedHere(ctx: Ctx): boolean {
  const rec = ctx.state.resource('certificateFiles');
  return rec?.status === 'creating' && rec.name === certOptions(ctx).outDir;
}

const sameList = (a: readonly string[], b: readonly string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

/** What differs from the flags; replacing the files (a new key) needs --force. */
async function changes(ctx: Ctx, cur: Found<CertificateFilesOut>): Promise<string[]> {
  if (rotationDue(ctx)) return []; // the rotation, which runs first, replaces them
  const want = certOptions(ctx);
  const o = cur.outputs;
  const diffs: string[] = [];
  if (o.cn !== want.cn) diffs.push(`CN: ${o.cn} → ${want.cn}`);
  if (!sameList(o.san, want.san)) diffs.push(`SAN: ${o.san.join(',') || 'none'} → ${want.san.join(',') || 'none'}`);
  if (o.days !== want.days) diffs.push(`days: ${o.days} → ${want.days}`);
  if (o.bits !== want.bits) diffs.push(`bits: ${o.bits} → ${want.bits}`);
  if (!o.privateKeyPresent) diffs.push(`${CERT_FILE_NAMES.privateKey} is missing`);
  if (Date.parse(o.notAfter) <= Date.now()) diffs.push(`expired on ${o.notAfter}`);
  if (ctx.inputs.certForce === true) return diffs.length > 0 ? diffs : ['a new key and certificate (--force)'];
  if (diffs.length > 0) {
    throw new UsageError(`${o.certificate} exists and differs from what was asked (${diffs.join('; ')}): pass ${flagIn(ctx, certForce)} to replace the files`);
  }
  return [];
}

async function destroy(ctx: Ctx, cur: Found<CertificateFilesOut>): Promise<void> {
  const o = cur.outputs;
  if (ctx.inputs.keepFiles === true) {
    ctx.ui.info(`kept the certificate files in ${o.dir} (--keep-files)`);
    return;
  }
  const recorded = ctx.state.resource('certificateFiles')?.outputs?.fingerprintSha256;
  if (typeof recorded === 'string' && recorded !== o.fingerprintSha256) {
    ctx.ui.warn(`kept ${o.certificate}: it is not the certificate albctl wrote (its fingerprint differs)`);
    return;
  }
  for (const f of [o.privateKey, o.publicKey, o.csr, o.certificate]) {
    await unlink(f).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
  await removeStaleCertificateTemps(o.dir);
  await discardStagedCertificateFiles(o.dir);
  // The directory too when it is empty now; and .albctl/<stack>/ when it was the default place.
  const removed = await rmdir(o.dir).then(
    () => true,
    () => false,
  );
  const parent = dirname(o.dir);
  if (removed && basename(o.dir) === 'cert' && basename(parent) === ctx.stack && basename(dirname(parent)) === '.albctl') {
    await rmdir(parent).catch(() => undefined);
  }
}

async function status(_ctx: Ctx, cur: Found<CertificateFilesOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  const days = Math.floor((Date.parse(o.notAfter) - Date.now()) / DAY_MS);
  return [
    {
      resource: 'certificateFiles',
      name: o.dir,
      state: days < 0 ? 'expired' : !o.privateKeyPresent ? 'no private.pem' : days <= EXPIRY_WARNING_DAYS ? 'expiring' : 'valid',
      detail: `CN ${o.cn}, SAN ${o.san.join(',') || 'none'}, expires ${o.notAfter.slice(0, 10)} (${days < 0 ? 'expired' : `in ${days} days`})`,
      data: { ...o, expiresInDays: days },
    },
  ];
}

/** Files carry no tag: only the default directory, .albctl/<stack>/cert, is albctl's for sure. */
async function discover(ctx: Ctx): Promise<Found<CertificateFilesOut>[]> {
  const found = await readFiles(resolve(defaultCertDir(ctx.stack)));
  return found ? [found] : [];
}

export const certificateFiles: Step<CertificateFilesOut> = {
  id: 'certificateFiles',
  kind: 'albctl::CertificateFiles',
  needs: ['loadBalancer'],
  command: 'cert',
  name: (ctx) => madeElsewhere(ctx)?.name ?? certOptions(ctx).outDir,
  describe: (ctx) => `certificate files in ${ctx.inputs.certOut}`,
  check,
  find,
  create: (ctx) => write(ctx, ctx.inputs.certForce === true || interruptedHere(ctx)),
  changes,
  // With an uploaded certificate new files are a rotation (cert --rotate), refused before this.
  update: (ctx) => write(ctx, true),
  destroy,
  status,
  discover,
};
