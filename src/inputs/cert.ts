// `albctl cert`'s questions. The parsers are src/cert's own, so flags and the module agree.
import { ALLOWED_BITS, DEFAULT_BITS, DEFAULT_DAYS, defaultCertDir, defaultCertName, parseBits, parseCertName, parseCn, parseDays, parseSan } from '../cert/options.js';
import { UsageError } from '../errors.js';
import { parseSwitch, question } from './question.js';

export const certOut = question({
  key: 'certOut',
  flag: 'cert-out',
  local: 'out',
  arg: '<dir>',
  description: 'directory for private.pem, public.pem, certificate.csr, certificate.crt',
  parse: (raw, flag) => {
    const dir = String(raw).trim();
    if (!dir) throw new UsageError(`${flag} must name a directory`);
    return dir;
  },
  default: (d) => defaultCertDir(d.stack),
});

export const certCn = question({
  key: 'certCn',
  flag: 'cn',
  arg: '<name>',
  description: 'certificate common name',
  defaultHelp: "the load balancer's DNS name, else the stack",
  parse: (raw, flag) => parseCn(raw, flag),
});

export const certSan = question({
  key: 'certSan',
  flag: 'san',
  arg: '<dns,...>',
  description: 'subjectAltName DNS names or IPs',
  defaultHelp: "the load balancer's DNS name",
  parse: (raw, flag) => parseSan(raw, flag),
});

export const certDays = question({
  key: 'certDays',
  flag: 'cert-days',
  local: 'days',
  arg: '<days>',
  description: 'validity in days (1-3650)',
  parse: (raw, flag) => parseDays(raw, flag),
  default: () => DEFAULT_DAYS,
});

export const certBits = question({
  key: 'certBits',
  flag: 'cert-bits',
  local: 'bits',
  arg: '<bits>',
  description: 'RSA key size: 2048, 3072 or 4096',
  choices: ALLOWED_BITS.map(String),
  parse: (raw, flag) => parseBits(raw, flag),
  default: () => DEFAULT_BITS,
});

/** Computed once (UTC minute), then saved in the state: a re-run keeps the name. */
export const certificateName = question({
  key: 'certificateName',
  flag: 'cert-name',
  local: 'name',
  arg: '<name>',
  description: 'IAM server certificate name (the first one resolved is kept)',
  defaultHelp: '<stack>-cert-<yyyymmddhhmm>',
  parse: (raw, flag) => parseCertName(raw, flag),
  default: (d) => defaultCertName(d.stack),
});

export const certUpload = question({
  key: 'certUpload',
  flag: 'cert-upload',
  local: 'upload',
  description: 'upload the certificate to IAM as a server certificate',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});

export const certForce = question({
  key: 'certForce',
  flag: 'cert-force',
  local: 'force',
  description: 'replace certificate files that already exist (a new key and certificate)',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});

export const certRotate = question({
  key: 'certRotate',
  flag: 'cert-rotate',
  local: 'rotate',
  description:
    'a new key and certificate under a new IAM name; the HTTPS listener switches to it, then the old one is deleted (the old files stay until then)',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});

export const certQuestions = [certOut, certCn, certSan, certDays, certBits, certificateName, certUpload, certForce, certRotate];

/**
 * New files for a certificate already in IAM would leave IAM and the listener on the old key (an
 * IAM certificate cannot change): that is a rotation. Checked before anything changes.
 */
export function checkForceAfterUpload(
  values: { certForce: boolean; certRotate: boolean },
  state: { resource(id: string): { status: string; name?: string } | undefined },
  flag: string,
): void {
  const uploaded = state.resource('serverCertificate');
  if (!values.certForce || values.certRotate || uploaded?.status !== 'created') return;
  throw new UsageError(
    `${flag} would replace the files of IAM server certificate ${uploaded.name}, which cannot change: \`albctl cert --rotate\` makes a new key and certificate, uploads it, switches the HTTPS listener and deletes the old one`,
  );
}
