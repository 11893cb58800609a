// Rotating the certificate (`cert --rotate`, and `init` on its own when it expires within 30
// days): a new key and certificate, staged beside the old files (which keep serving); uploaded to
// IAM under a new name; the HTTPS listener switched with ModifyListener; then the staged files
// promoted over the old ones, and the old IAM certificate deleted (DeleteConflict retried while
// the load balancer still holds it). Every stage is recorded in the state (the `rotation` of the
// server certificate's outputs) before it changes anything, so a killed run resumes it; each
// stage first looks at what AWS and the disk hold, so nothing is uploaded or switched twice.
import { ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EXPIRY_WARNING_DAYS, defaultCertName, generateCertificate, promoteCertificateFiles, readCertificateFile, readPrivateKeyFor, stagingDirOf, writeCertificateFiles } from '../cert/index.js';
import type { PlanItem } from '../engine/apply.js';
import { opts, type Ctx } from '../engine/context.js';
import { RuntimeError } from '../errors.js';
import type { ResourceRecord } from '../state/schema.js';
import { certOptions, readFiles, type CertificateFilesOut } from './certificate-files.js';
import { elb } from './elb.js';
import { retryCertificateNotFound } from './https-listener.js';
import { findListener, type ListenerOut } from './listener.js';
import { deleteServerCertificate, getServerCertificate, toFound, uploadCertificate } from './server-certificate.js';

/** The rotation in progress, in the server certificate's outputs. */
export interface Rotation {
  /** The new IAM certificate's name. */
  name: string;
  oldName: string;
  oldArn: string;
  /** Why: "--rotate", "it expires in 12 day(s)". */
  reason: string;
  startedAt: string;
}

const DAY_MS = 86_400_000;
const KIND = 'albctl::CertificateRotation';

const created = (ctx: Ctx, id: string): ResourceRecord | undefined => {
  const rec = ctx.state.resource(id);
  return rec?.status === 'created' ? rec : undefined;
};

export function recordedRotation(ctx: Ctx): Rotation | undefined {
  const r = created(ctx, 'serverCertificate')?.outputs.rotation;
  return r && typeof r === 'object' ? (r as Rotation) : undefined;
}

/** Days until the stack's certificate expires (the uploaded one, else the files); undefined without one. */
export function daysLeft(ctx: Ctx): number | undefined {
  const sc = created(ctx, 'serverCertificate')?.outputs.expiration;
  const files = created(ctx, 'certificateFiles')?.outputs.notAfter;
  const at = typeof sc === 'string' && sc ? sc : typeof files === 'string' ? files : undefined;
  return at ? Math.floor((Date.parse(at) - Date.now()) / DAY_MS) : undefined;
}

/**
 * Why a rotation runs in this command, or undefined: one is recorded (a killed run), --rotate, or
 * (init only) the certificate expires within 30 days and a new one would outlive that window.
 */
export function rotationDue(ctx: Ctx): string | undefined {
  if (recordedRotation(ctx)) return 'finishing an interrupted rotation';
  if (!created(ctx, 'certificateFiles')) return undefined;
  if (ctx.inputs.certRotate) return '--rotate';
  const days = daysLeft(ctx);
  if (ctx.command === 'init' && days !== undefined && days <= EXPIRY_WARNING_DAYS && ctx.inputs.certDays > EXPIRY_WARNING_DAYS) {
    return days < 0 ? 'it has expired' : `it expires in ${days} day(s)`;
  }
  return undefined;
}

/** A fresh IAM name: --cert-name when it names a new one, else <stack>-cert-<yyyymmddhhmm>, -2, -3... if taken. */
function newName(ctx: Ctx, old: string): string {
  if (ctx.inputs.certificateName !== old) return ctx.inputs.certificateName;
  const base = defaultCertName(ctx.stack);
  let name = base;
  for (let n = 2; name === old; n++) name = `${base}-${n}`;
  return name;
}

/** What the plan shows for a rotation due in this command. */
export function rotationPlanItem(ctx: Ctx, why: string): PlanItem {
  const rec = recordedRotation(ctx);
  const sc = created(ctx, 'serverCertificate');
  const listener = created(ctx, 'httpsListener');
  const changes = sc
    ? [
        `a new key and certificate; upload as ${rec?.name ?? newName(ctx, sc.name ?? '')}`,
        ...(listener ? [`switch the HTTPS listener to it`] : []),
        `delete ${rec?.oldName ?? sc.name}`,
      ]
    : ['a new key and certificate (the files only: nothing uploaded yet)'];
  return { step: 'certificateRotation', kind: KIND, what: `certificate rotation (${why})`, action: 'update', changes };
}

async function saveRecord(ctx: Ctx, id: string, found: { id: string; name?: string; outputs: Record<string, unknown> }): Promise<void> {
  const rec = ctx.state.resource(id);
  await ctx.state.markCreated(id, rec?.kind ?? KIND, found);
  ctx.outputs.set(id, found.outputs);
}

/** The new key and certificate beside the old files (their staging directory), unless already there. */
async function stage(ctx: Ctx, dir: string): Promise<string> {
  const staging = stagingDirOf(dir);
  const cert = `${staging}/certificate.crt`;
  const usable = await readPrivateKeyFor(cert, { flag: '--out' }).then(
    () => true,
    () => false,
  );
  if (!usable) {
    const o = certOptions(ctx);
    for (const w of o.warnings) ctx.ui.warn(w);
    await writeCertificateFiles(staging, generateCertificate({ cn: o.cn, san: o.san, days: o.days, bits: o.bits }), { overwrite: true });
  }
  return cert;
}

/** Rotate (or finish rotating) the certificate; returns the context the rest of the command runs with. */
export async function rotateCertificate(ctx: Ctx, why: string): Promise<Ctx> {
  const files = created(ctx, 'certificateFiles')!.outputs as CertificateFilesOut;
  const sc = created(ctx, 'serverCertificate');
  const say = (line: string) => ctx.ui.info(`  certificate: ${line}`);
  ctx.ui.info(`rotating the certificate (${why})`);
  if (!sc) {
    await stage(ctx, files.dir);
    await promoteCertificateFiles(files.dir);
    await saveRecord(ctx, 'certificateFiles', (await readFiles(files.dir))!);
    say(`new key and certificate in ${files.dir}`);
    return { ...ctx, inputs: { ...ctx.inputs, certRotate: false } };
  }
  let rot = recordedRotation(ctx);
  if (!rot) {
    rot = { name: newName(ctx, sc.name!), oldName: sc.name!, oldArn: sc.id!, reason: why, startedAt: new Date().toISOString() };
    await ctx.state.markCreated('serverCertificate', sc.kind, { id: sc.id, name: sc.name, outputs: { ...sc.outputs, rotation: rot } });
  }
  const uploaded = await uploadNew(ctx, rot, files);
  await switchListener(ctx, rot, uploaded.id);
  await promoteCertificateFiles(files.dir);
  await saveRecord(ctx, 'certificateFiles', (await readFiles(files.dir))!);
  say(`${files.certificate} is the new certificate (SHA-256 ${uploaded.outputs.fingerprintSha256.slice(0, 17)}…)`);
  ctx.state.rememberInputs({ certificateName: rot.name });
  await saveRecord(ctx, 'serverCertificate', { id: uploaded.id, name: rot.name, outputs: { ...uploaded.outputs, rotation: rot } });
  if (await getServerCertificate(ctx, rot.oldName)) {
    await deleteServerCertificate(ctx, rot.oldName);
    say(`deleted the old IAM certificate ${rot.oldName}`);
  }
  await saveRecord(ctx, 'serverCertificate', { id: uploaded.id, name: rot.name, outputs: uploaded.outputs });
  return { ...ctx, inputs: { ...ctx.inputs, certificateName: rot.name, certRotate: false } };
}

/** The new certificate in IAM: found under its name (a killed run uploaded it), else uploaded from the staged files. */
async function uploadNew(ctx: Ctx, rot: Rotation, files: CertificateFilesOut) {
  const there = await getServerCertificate(ctx, rot.name);
  if (there) {
    const found = await toFound(ctx, there);
    if (!found.owned) throw new RuntimeError(`IAM server certificate ${rot.name} exists but is not this stack's: pass another --cert-name`);
    // Promoted already (the run was killed later), or still staged: either way the key is on disk.
    const live = await readCertificateFile(files.certificate, { flag: '--out' }).catch(() => undefined);
    if (live?.fingerprintSha256 !== found.outputs.fingerprintSha256) {
      const staged = await readCertificateFile(`${stagingDirOf(files.dir)}/certificate.crt`, { flag: '--out' }).catch(() => undefined);
      if (staged?.fingerprintSha256 !== found.outputs.fingerprintSha256) {
        throw new RuntimeError(`IAM server certificate ${rot.name} was uploaded by this rotation, but its key is no longer in ${files.dir} or ${stagingDirOf(files.dir)}`);
      }
    }
    return found;
  }
  const cert = await stage(ctx, files.dir);
  const found = await uploadCertificate(ctx, rot.name, { path: cert, flag: '--out' });
  ctx.ui.info(`  certificate: uploaded ${rot.name} to IAM`);
  return found;
}

/** The HTTPS listener presents the new certificate: ModifyListener, unless it does already or presents one that is not the stack's. */
async function switchListener(ctx: Ctx, rot: Rotation, newArn: string): Promise<void> {
  const rec = created(ctx, 'httpsListener');
  if (!rec) return;
  const cur = await findListener(ctx, rec, (rec.outputs as ListenerOut).port);
  if (!cur) return;
  const now = cur.outputs.certificateArn;
  if (now !== newArn && now !== rot.oldArn) {
    ctx.ui.warn(`the HTTPS listener presents ${now ?? 'no certificate'}, not ${rot.oldName}: left as it is`);
    return;
  }
  if (now !== newArn) {
    await retryCertificateNotFound(ctx, true, () =>
      elb(ctx).send(new ModifyListenerCommand({ ListenerArn: cur.id, Certificates: [{ CertificateArn: newArn }] }), opts(ctx)),
    );
    ctx.ui.info(`  certificate: the HTTPS listener :${cur.outputs.port} presents ${rot.name}`);
  }
  const after = (await findListener(ctx, rec, cur.outputs.port))!;
  await saveRecord(ctx, 'httpsListener', { id: after.id, outputs: after.outputs });
}

/** For a command's start: finish a recorded rotation or do a due one (in a dry run, only say so). */
export async function rotateIfDue(ctx: Ctx): Promise<{ ctx: Ctx; items: PlanItem[] }> {
  const why = rotationDue(ctx);
  if (!why) return { ctx, items: [] };
  const item = rotationPlanItem(ctx, why);
  if (ctx.dryRun) return { ctx, items: [item] };
  return { ctx: await rotateCertificate(ctx, why), items: [item] };
}

/** For init: an expiry within 30 days that init does not rotate on its own (a short --cert-days), said as a warning. */
export function expiryWarning(ctx: Ctx): string | undefined {
  const days = daysLeft(ctx);
  if (days === undefined || days > EXPIRY_WARNING_DAYS || rotationDue(ctx)) return undefined;
  return `the certificate ${days < 0 ? 'has expired' : `expires in ${days} day(s)`}; --cert-days ${ctx.inputs.certDays} would not outlive the ${EXPIRY_WARNING_DAYS}-day window, so init leaves it: \`albctl cert --rotate\` replaces it`;
}
