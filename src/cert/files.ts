// The certificate directory: write the four files safely, read a certificate (ours or the
// user's, for `https --certificate <file>`) and the private key next to it (for the IAM upload).
import { X509Certificate, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { link, lstat, open, readFile, rename, rmdir, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { RuntimeError, UsageError } from '../errors.js';
import { removeStaleTemps } from '../state/atomic.js';
import { makeDir } from '../state/dir.js';
import { withPrivateKeyHidden, type GeneratedCertificate } from './generate.js';

export const CERT_FILE_NAMES = {
  privateKey: 'private.pem',
  publicKey: 'public.pem',
  csr: 'certificate.csr',
  certificate: 'certificate.crt',
} as const;

export interface CertificatePaths {
  dir: string;
  privateKey: string;
  publicKey: string;
  csr: string;
  certificate: string;
}

/** Remove the temp files a killed writer left in `dir` (they may hold a private key). */
export async function removeStaleCertificateTemps(dir: string): Promise<void> {
  for (const name of Object.values(CERT_FILE_NAMES)) await removeStaleTemps(join(resolve(dir), name));
}

/**
 * Write private.pem (0600), public.pem, certificate.csr and certificate.crt (0644) into `dir`,
 * creating it 0700 if new. Existing files are a UsageError naming the file and --force unless
 * `overwrite`; that check happens for all four before anything is written. Each file is written
 * to a temp file created with its final mode (O_EXCL, so the key is never readable by others),
 * fsynced, then moved into place; without `overwrite` the move is a link(), which cannot clobber
 * a file that appeared meanwhile.
 */
export async function writeCertificateFiles(
  dir: string,
  generated: GeneratedCertificate,
  options: { overwrite?: boolean } = {},
): Promise<CertificatePaths> {
  const overwrite = options.overwrite === true;
  const absDir = resolve(dir);
  const paths: CertificatePaths = {
    dir: absDir,
    privateKey: join(absDir, CERT_FILE_NAMES.privateKey),
    publicKey: join(absDir, CERT_FILE_NAMES.publicKey),
    csr: join(absDir, CERT_FILE_NAMES.csr),
    certificate: join(absDir, CERT_FILE_NAMES.certificate),
  };
  const files = [
    { path: paths.privateKey, data: generated.privateKeyPem, mode: 0o600 },
    { path: paths.publicKey, data: generated.publicKeyPem, mode: 0o644 },
    { path: paths.csr, data: generated.csrPem, mode: 0o644 },
    { path: paths.certificate, data: generated.certificatePem, mode: 0o644 },
  ];

  await ensureDir(absDir);
  await removeStaleCertificateTemps(absDir);
  if (!overwrite) {
    for (const f of files) {
      if (await exists(f.path)) throw refuseOverwrite(f.path);
    }
  }

  // All temp files first, then the moves: a failure while writing leaves the old set intact.
  const temps: string[] = [];
  try {
    for (const f of files) temps.push(await writeTemp(f.path, f.data, f.mode));
    for (const [i, f] of files.entries()) {
      const temp = temps[i] as string;
      if (overwrite) {
        await rename(temp, f.path);
      } else {
        await link(temp, f.path).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? refuseOverwrite(f.path) : writeFailed(f.path, err);
        });
        await unlink(temp);
      }
    }
  } catch (err) {
    await Promise.all(temps.map((t) => unlink(t).catch(() => undefined)));
    throw err instanceof UsageError || err instanceof RuntimeError ? err : writeFailed(absDir, err);
  }
  await fsyncDir(absDir);
  return paths;
}

/**
 * Where a rotation writes the new files while the old ones still serve: `<dir>/next`, promoted
 * over the old ones (promoteCertificateFiles) once the listener presents the new certificate.
 */
export function stagingDirOf(dir: string): string {
  return join(resolve(dir), 'next');
}

/**
 * Move the staged files over the live ones, the key first and the certificate last, each an
 * atomic rename; a run killed in between finds the rest still staged and finishes the move.
 */
export async function promoteCertificateFiles(dir: string): Promise<void> {
  const absDir = resolve(dir);
  const staging = stagingDirOf(absDir);
  for (const name of [CERT_FILE_NAMES.privateKey, CERT_FILE_NAMES.publicKey, CERT_FILE_NAMES.csr, CERT_FILE_NAMES.certificate]) {
    if (await exists(join(staging, name))) await rename(join(staging, name), join(absDir, name)).catch((err) => Promise.reject(writeFailed(join(absDir, name), err)));
  }
  await removeStaleCertificateTemps(staging);
  await rmdir(staging).catch(() => undefined);
  await fsyncDir(absDir);
}

/** Remove files a rotation staged and never promoted (destroy). */
export async function discardStagedCertificateFiles(dir: string): Promise<void> {
  const staging = stagingDirOf(dir);
  for (const name of Object.values(CERT_FILE_NAMES)) await unlink(join(staging, name)).catch(() => undefined);
  await removeStaleCertificateTemps(staging);
  await rmdir(staging).catch(() => undefined);
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await makeDir(dir, 0o700);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`--out: ${dir} is not a directory`);
    throw writeFailed(dir, err);
  }
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new UsageError(`--out: ${dir} is not a directory`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path); // a dangling symlink counts: we would write through it
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw writeFailed(path, err);
  }
}

async function writeTemp(target: string, data: string, mode: number): Promise<string> {
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fh;
  try {
    // O_EXCL|O_CREAT with the final mode: never a moment with wider permissions (umask can only narrow).
    fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  } catch (err) {
    throw writeFailed(target, err);
  }
  try {
    await fh.chmod(mode); // exact mode whatever the umask (0644 stays 0644, 0600 stays 0600)
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw writeFailed(target, err);
  }
  await fh.close();
  return temp;
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the renames durable; some platforms cannot open a directory for this, which is fine.
  const fh = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

function refuseOverwrite(path: string): UsageError {
  return new UsageError(`${path} already exists: pass --force to replace it, or --out <dir> to write elsewhere`);
}

function writeFailed(path: string, err: unknown): RuntimeError {
  const e = err as NodeJS.ErrnoException;
  return new RuntimeError(`cannot write ${path}: ${e.code ?? e.message}`, { cause: err });
}

export interface CertificateFileInfo {
  path: string;
  /** The first certificate in the file (the server certificate), LF line ends. */
  pem: string;
  /** Any further certificates (a chain), for IAM's CertificateChain; undefined when none. */
  chainPem?: string;
  subjectCn?: string;
  issuerCn?: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: Date;
  notAfter: Date;
  serial: string;
  fingerprintSha256: string;
  selfSigned: boolean;
  isCa: boolean;
  /** 'rsa', 'ec', … */
  keyType: string;
  /** RSA modulus length or EC curve size when known. */
  keyBits?: number;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Read and parse a PEM certificate file. Missing, unreadable or non-PEM files are a UsageError
 * naming `flag` (default --certificate) and the path.
 */
export async function readCertificateFile(
  path: string,
  options: { flag?: string } = {},
): Promise<CertificateFileInfo> {
  const flag = options.flag ?? '--certificate';
  const text = await readText(path, flag);
  const blocks = text.match(PEM_CERT)?.map((b) => b.replace(/\r\n/g, '\n') + '\n') ?? [];
  if (blocks.length === 0) {
    let hint = '';
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) hint = ': it holds a private key, not a certificate';
    else if (/-----BEGIN CERTIFICATE REQUEST-----/.test(text)) hint = ': it is a CSR; pass certificate.crt';
    else if (text.charCodeAt(0) === 0x30 && text.charCodeAt(1) >= 0x80) {
      hint = ': it looks like DER; convert it with `openssl x509 -inform der -in <file> -out <file>.pem`';
    }
    throw new UsageError(`${flag}: ${path} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" block)${hint}`);
  }
  const [pem, ...chain] = blocks as [string, ...string[]];
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (err) {
    throw new UsageError(`${flag}: ${path} holds a PEM block that is not a valid certificate`, { cause: err });
  }
  const san = parseSubjectAltName(x509.subjectAltName);
  const details = x509.publicKey.asymmetricKeyDetails;
  const keyBits = details?.modulusLength ?? curveBits(details?.namedCurve);
  return {
    path: resolve(path),
    pem,
    ...(chain.length > 0 ? { chainPem: chain.join('') } : {}),
    ...optional('subjectCn', firstCn(x509.toLegacyObject().subject)),
    ...optional('issuerCn', firstCn(x509.toLegacyObject().issuer)),
    dnsNames: san.filter((s) => s.type === 'DNS').map((s) => s.value),
    ipAddresses: san.filter((s) => s.type === 'IP Address').map((s) => s.value),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    serial: x509.serialNumber.toUpperCase(),
    fingerprintSha256: x509.fingerprint256,
    selfSigned: x509.issuer === x509.subject && x509.checkIssued(x509) && x509.verify(x509.publicKey),
    isCa: x509.ca,
    keyType: x509.publicKey.asymmetricKeyType ?? 'unknown',
    ...optional('keyBits', keyBits),
  };
}

export interface PrivateKeyFile {
  path: string;
  /** Unencrypted PEM, as on disk. Left out of JSON.stringify and util.inspect. */
  privateKeyPem: string;
}

/**
 * The private key for an IAM upload: `private.pem` in the certificate's directory. A UsageError
 * (naming `flag`, default --certificate) when it is missing, encrypted (IAM needs it in the
 * clear), or not the key of that certificate (IAM would answer MalformedCertificate).
 */
export async function readPrivateKeyFor(
  certPath: string,
  options: { flag?: string } = {},
): Promise<PrivateKeyFile> {
  const flag = options.flag ?? '--certificate';
  const keyPath = join(dirname(resolve(certPath)), CERT_FILE_NAMES.privateKey);
  const cert = await readCertificateFile(certPath, { flag });
  let pem: string;
  try {
    pem = await readFile(keyPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${flag}: no readable ${CERT_FILE_NAMES.privateKey} next to ${certPath} (${code ?? 'unreadable'}); ` +
        'IAM needs the private key: keep it in the same directory as the certificate',
      { cause: err },
    );
  }
  if (/ENCRYPTED/.test(pem)) {
    throw new UsageError(`${flag}: ${keyPath} is encrypted; IAM needs an unencrypted key (openssl rsa -in it -out it)`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    // Never echo the file's content: it may be a key.
    throw new UsageError(`${flag}: ${keyPath} is not a PEM private key`, { cause: err });
  }
  const ours = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const theirs = new X509Certificate(cert.pem).publicKey.export({ type: 'spki', format: 'der' });
  if (!ours.equals(theirs)) {
    throw new UsageError(`${flag}: ${keyPath} is not the private key of ${certPath} (their public keys differ)`);
  }
  return withPrivateKeyHidden({ path: keyPath, privateKeyPem: pem });
}

/** A certificate and its key, as IAM will want them: readable, matching, not expired (UsageErrors naming `flag`). */
export async function readUploadable(path: string, flag: string): Promise<{ cert: CertificateFileInfo; key: PrivateKeyFile }> {
  const cert = await readCertificateFile(path, { flag });
  if (cert.notAfter.getTime() <= Date.now()) {
    throw new UsageError(`${flag}: ${path} expired on ${cert.notAfter.toISOString()}: make a new one (albctl cert --rotate, or --force before it is uploaded)`);
  }
  const key = await readPrivateKeyFor(path, { flag });
  return { cert, key };
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'latin1'); // PEM is ASCII; latin1 never fails on DER bytes
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`${flag}: cannot read ${path}: ${why}`, { cause: err });
  }
}

/** Node's X509Certificate.subjectAltName: `DNS:a, IP Address:1.2.3.4`, values JSON-quoted when they hold `,` or `"`. */
export function parseSubjectAltName(text: string | undefined): { type: string; value: string }[] {
  if (!text) return [];
  const out: { type: string; value: string }[] = [];
  const re = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of text.matchAll(re)) {
    const type = m[1] ?? '';
    const raw = m[2] ?? '';
    out.push({ type, value: raw.startsWith('"') ? (JSON.parse(raw) as string) : raw });
  }
  return out;
}

/** Node's legacy subject object holds the raw value (a string, or an array when repeated). */
function firstCn(dn: NodeJS.Dict<string | string[]> | undefined): string | undefined {
  const cn = dn?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

function curveBits(curve: string | undefined): number | undefined {
  const m = curve ? /(\d{3})/.exec(curve) : null;
  return m ? Number(m[1]) : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
