// The IAM server certificate the HTTPS listener presents: certificate.crt and private.pem from
// `albctl cert` (or `https --certificate <file>`), uploaded as `<stack>-cert-<yyyymmddhhmm>`
// under the path /albctl/<stack>/, tagged. IAM has no waiter and is eventually consistent both
// ways: wait until it is readable after the upload; retry DeleteConflict on delete.
import { X509Certificate } from 'node:crypto';
import {
  DeleteServerCertificateCommand,
  GetServerCertificateCommand,
  IAMClient,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
  UploadServerCertificateCommand,
  type ServerCertificate,
} from '@aws-sdk/client-iam';
import { awsCode, unlessNotFound } from '../aws/errors.js';
import { retryNotYet, waitFor } from '../aws/poll.js';
import { ownedBy, stackTags } from '../aws/tags.js';
import { readCertificateFile, readUploadable } from '../cert/files.js';
import { EXPIRY_WARNING_DAYS } from '../cert/options.js';
import { flagIn, need, opts, type Ctx } from '../engine/context.js';
import { certOut } from '../inputs/cert.js';
import { UsageError } from '../errors.js';
import type { ResourceRecord } from '../state/schema.js';
import type { CertificateFilesOut } from './certificate-files.js';
import { rotationDue } from './certificate-rotation.js';
import type { Found, StatusRow, Step } from './types.js';

export interface ServerCertificateOut extends Record<string, unknown> {
  arn: string;
  name: string;
  path: string;
  serverCertificateId: string;
  uploadDate: string;
  /** notAfter of the certificate body itself (IAM's metadata says the same on AWS). */
  expiration: string;
  fingerprintSha256: string;
  subjectCn: string;
  dnsNames: string[];
}

const iam = (ctx: Ctx) => ctx.aws.client(IAMClient);
const DAY_MS = 86_400_000;

/**
 * The stack's IAM path. It marks the certificate as the stack's where tags cannot be read (moto
 * has no ListServerCertificateTags) and lets `ListServerCertificates --path-prefix` find them.
 */
export function iamPath(stack: string): string {
  return `/albctl/${stack}/`;
}

export async function getServerCertificate(ctx: Ctx, name: string): Promise<ServerCertificate | undefined> {
  return (await unlessNotFound(iam(ctx).send(new GetServerCertificateCommand({ ServerCertificateName: name }), opts(ctx))))?.ServerCertificate;
}

async function taggedOurs(ctx: Ctx, name: string): Promise<boolean> {
  try {
    const out = await iam(ctx).send(new ListServerCertificateTagsCommand({ ServerCertificateName: name }), opts(ctx));
    return ownedBy(out.Tags, ctx.stack);
  } catch {
    return false; // unreadable tags: not provably ours
  }
}

export async function toFound(ctx: Ctx, sc: ServerCertificate): Promise<Found<ServerCertificateOut>> {
  const m = sc.ServerCertificateMetadata!;
  let x509: X509Certificate | undefined;
  try {
    x509 = new X509Certificate(sc.CertificateBody ?? '');
  } catch {
    x509 = undefined;
  }
  const path = m.Path ?? '/';
  return {
    id: m.Arn!,
    name: m.ServerCertificateName,
    owned: path === iamPath(ctx.stack) || (await taggedOurs(ctx, m.ServerCertificateName!)),
    outputs: {
      arn: m.Arn!,
      name: m.ServerCertificateName!,
      path,
      serverCertificateId: m.ServerCertificateId ?? '',
      uploadDate: m.UploadDate?.toISOString() ?? '',
      expiration: x509 ? new Date(x509.validTo).toISOString() : (m.Expiration?.toISOString() ?? ''),
      fingerprintSha256: x509?.fingerprint256 ?? '',
      subjectCn: /(?:^|\n)CN=([^\n]*)/.exec(x509?.subject ?? '')?.[1] ?? '',
      dnsNames: (x509?.subjectAltName ?? '')
        .split(', ')
        .filter((s) => s.startsWith('DNS:'))
        .map((s) => s.slice(4)),
    },
  };
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<ServerCertificateOut> | undefined> {
  const sc = await getServerCertificate(ctx, rec?.name ?? ctx.inputs.certificateName);
  return sc ? toFound(ctx, sc) : undefined;
}

/**
 * Which certificate file to upload: the files `cert` wrote in this run, else `--certificate <file>`,
 * else the files the state records.
 */
function source(ctx: Ctx): { path: string; flag: string } {
  const fresh = ctx.outputs.get('certificateFiles') as CertificateFilesOut | undefined;
  if (fresh) return { path: fresh.certificate, flag: flagIn(ctx, certOut) };
  const ref = ctx.inputs.certificate;
  if (ref && 'file' in ref) return { path: ref.file, flag: '--certificate' };
  return { path: need<CertificateFilesOut>(ctx, 'certificateFiles', 'cert').certificate, flag: flagIn(ctx, certOut) };
}

/** Before anything changes: a --certificate file must be usable, key and all. */
async function check(ctx: Ctx): Promise<void> {
  const ref = ctx.inputs.certificate;
  if (ref && 'file' in ref) await readUploadable(ref.file, '--certificate');
}

async function create(ctx: Ctx): Promise<Found<ServerCertificateOut>> {
  return uploadCertificate(ctx, ctx.inputs.certificateName, source(ctx));
}

/** Upload certificate.crt and the private.pem beside it under `name`, in the stack's IAM path; wait until readable. */
export async function uploadCertificate(ctx: Ctx, name: string, src: { path: string; flag: string }): Promise<Found<ServerCertificateOut>> {
  const { cert, key } = await readUploadable(src.path, src.flag);
  await iam(ctx).send(
    new UploadServerCertificateCommand({
      ServerCertificateName: name,
      Path: iamPath(ctx.stack),
      CertificateBody: cert.pem,
      PrivateKey: key.privateKeyPem,
      CertificateChain: cert.chainPem,
      Tags: stackTags(ctx.stack),
    }),
    opts(ctx),
  );
  const sc = await waitFor(() => getServerCertificate(ctx, name), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `IAM server certificate ${name} to be readable`,
  });
  return toFound(ctx, sc);
}

/** An IAM certificate's body cannot change: different files are a usage error, not a silent re-upload. */
async function changes(ctx: Ctx, cur: Found<ServerCertificateOut>): Promise<string[]> {
  if (rotationDue(ctx)) return []; // the rotation, which runs first, uploads the new one
  let src: { path: string; flag: string };
  let fingerprint: string;
  try {
    src = source(ctx);
    fingerprint = (await readCertificateFile(src.path, { flag: src.flag })).fingerprintSha256;
  } catch {
    return []; // the files are gone or were never here: the uploaded certificate stands
  }
  if (cur.outputs.fingerprintSha256 && fingerprint !== cur.outputs.fingerprintSha256) {
    throw new UsageError(
      `${src.path} is not the certificate uploaded as ${cur.outputs.name} (SHA-256 ${fingerprint.slice(0, 17)}… vs ${cur.outputs.fingerprintSha256.slice(0, 17)}…), and an IAM server certificate cannot change in place: restore the files, or replace both with \`albctl cert --rotate\``,
    );
  }
  return [];
}

async function destroy(ctx: Ctx, cur: Found<ServerCertificateOut>): Promise<void> {
  await deleteServerCertificate(ctx, cur.outputs.name);
  // A rotation the state records has a second certificate, the new or the old one: it goes too.
  const rotation = ctx.state.resource('serverCertificate')?.outputs?.rotation as { name?: string; oldName?: string } | undefined;
  for (const other of [rotation?.name, rotation?.oldName]) {
    const sc = other && other !== cur.outputs.name ? await getServerCertificate(ctx, other) : undefined;
    if (sc?.ServerCertificateMetadata?.Path === iamPath(ctx.stack)) await deleteServerCertificate(ctx, other!);
  }
}

/** Delete it and wait until it is gone; DeleteConflict (a listener still holds it) is retried, bounded. */
export async function deleteServerCertificate(ctx: Ctx, name: string): Promise<void> {
  // DeleteConflict while a listener uses it, and for a while after the listener is gone.
  await retryNotYet(
    async () => {
      await unlessNotFound(iam(ctx).send(new DeleteServerCertificateCommand({ ServerCertificateName: name }), opts(ctx)));
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `deleting IAM server certificate ${name}`, retryable: (e) => awsCode(e) === 'DeleteConflict' },
  );
  await waitFor(async () => ((await getServerCertificate(ctx, name)) ? undefined : true), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `IAM server certificate ${name} to be gone`,
  });
}

async function status(ctx: Ctx, cur: Found<ServerCertificateOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  const days = Math.floor((Date.parse(o.expiration) - Date.now()) / DAY_MS);
  const rotation = ctx.state.resource('serverCertificate')?.outputs?.rotation as { name?: string } | undefined;
  const rotating = rotation?.name ? `; rotating to ${rotation.name} (run \`albctl cert --rotate\` to finish)` : '';
  return [
    {
      resource: 'serverCertificate',
      name: o.name,
      state: days < 0 ? 'expired' : days <= EXPIRY_WARNING_DAYS ? 'expiring' : 'valid',
      detail: `expires ${o.expiration.slice(0, 10)} (${days < 0 ? 'expired' : `in ${days} days`}), CN ${o.subjectCn}${o.dnsNames.length ? `, SAN ${o.dnsNames.join(',')}` : ''}${rotating}`,
      data: { ...o, expiresInDays: days, rotation: rotation ?? null },
    },
  ];
}

/** The certificates under the stack's IAM path (destroy --discover). */
async function discover(ctx: Ctx): Promise<Found<ServerCertificateOut>[]> {
  const names: string[] = [];
  let marker: string | undefined;
  do {
    const page = await iam(ctx).send(new ListServerCertificatesCommand({ PathPrefix: iamPath(ctx.stack), Marker: marker }), opts(ctx));
    // moto ignores PathPrefix: filter here as well.
    names.push(...(page.ServerCertificateMetadataList ?? []).filter((m) => m.Path === iamPath(ctx.stack)).map((m) => m.ServerCertificateName!));
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  const found = await Promise.all(names.map(async (n) => (await getServerCertificate(ctx, n)) ?? undefined));
  const all = await Promise.all(found.filter((sc): sc is ServerCertificate => !!sc).map((sc) => toFound(ctx, sc)));
  return all.filter((f) => f.owned);
}

export const serverCertificate: Step<ServerCertificateOut> = {
  id: 'serverCertificate',
  kind: 'AWS::IAM::ServerCertificate',
  needs: ['certificateFiles'],
  command: 'cert --upload',
  name: (ctx) => ctx.inputs.certificateName,
  describe: (ctx) => `IAM server certificate ${ctx.inputs.certificateName}`,
  check,
  find,
  create,
  changes,
  update: async (_ctx, cur) => cur,
  destroy,
  status,
  discover,
};
