// The four artefacts of the seed's openssl commands (genrsa, rsa -pubout, req -new, x509 -req),
// made in-process: an RSA key, its public half, a CSR and a self-signed certificate.
//
// The key comes from Node's crypto (OpenSSL): forge in pure JavaScript takes ~3 s for 2048 bits
// and ~40 s for 4096 on this machine, Node ~40 ms and ~400 ms (forge itself delegates to Node's
// crypto unless forced to pure JS; calling it directly makes that explicit). forge then builds
// and signs the CSR and the certificate, which it does in a few milliseconds.
import { X509Certificate, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { inspect } from 'node:util';
import forge from 'node-forge';
import { DEFAULT_BITS, DEFAULT_DAYS, parseBits, parseCn, parseDays, parseSan, type RsaBits } from './options.js';

export interface GenerateCertificateOptions {
  /** Subject common name, at most 64 characters. */
  cn: string;
  /** DNS names and IP literals for subjectAltName. */
  san: string[];
  /** Validity from now; default 365. */
  days?: number;
  /** RSA modulus size: 2048 (default), 3072 or 4096. */
  bits?: number;
  /** For tests: the moment the certificate is made. */
  now?: Date;
}

export interface GeneratedCertificate {
  /** PKCS#1 (`BEGIN RSA PRIVATE KEY`), unencrypted. Left out of JSON.stringify and util.inspect. */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo (`BEGIN PUBLIC KEY`), what `openssl rsa -pubout` writes. */
  publicKeyPem: string;
  csrPem: string;
  certificatePem: string;
  notBefore: Date;
  notAfter: Date;
  /** Upper-case hex, no separators (as Node's X509Certificate.serialNumber). */
  serial: string;
  /** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` and Node's fingerprint256. */
  fingerprintSha256: string;
}

/** IAM rejects a certificate that is not valid yet; clocks drift. */
export const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Make a key pair, a CSR and a self-signed CA:true certificate (so the certificate is its own
 * trust anchor: `openssl verify -CAfile certificate.crt certificate.crt` and `--ca` work).
 * Validates its options like the flags (UsageError naming --cn, --san, --days, --bits).
 */
export function generateCertificate(opts: GenerateCertificateOptions): GeneratedCertificate {
  const cn = parseCn(opts.cn);
  const san = parseSan(opts.san);
  const days = parseDays(opts.days ?? DEFAULT_DAYS);
  const bits: RsaBits = parseBits(opts.bits ?? DEFAULT_BITS);
  // Certificates carry whole seconds: drop the milliseconds so the returned dates are exact.
  const now = new Date(Math.floor((opts.now ?? new Date()).getTime() / 1000) * 1000);

  const { privateKey: privateKeyPem, publicKey: publicKeyPem } = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicExponent: 0x10001,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const privateKey = forge.pki.privateKeyFromPem(privateKeyPem);
  const publicKey = forge.pki.publicKeyFromPem(publicKeyPem);

  // UTF8String, not forge's default PrintableString (which cannot hold `*`, `_` or `@`).
  const subject = [
    { name: 'commonName', value: cn, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
  ];
  const altNames = san.map((entry) => (isIP(entry) ? { type: 7, ip: entry } : { type: 2, value: entry }));
  const sanExtension = { name: 'subjectAltName', altNames };

  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = publicKey;
  csr.setSubject(subject);
  if (altNames.length > 0) csr.setAttributes([{ name: 'extensionRequest', extensions: [sanExtension] }]);
  csr.sign(privateKey, forge.md.sha256.create());

  const serial = randomSerial();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial;
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    ...(altNames.length > 0 ? [sanExtension] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: true },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());

  // forge writes CRLF line ends; files and IAM are happier with LF.
  const certificatePem = lf(forge.pki.certificateToPem(cert));
  const x509 = new X509Certificate(certificatePem); // parsed back by OpenSSL: a cheap self-check
  return withPrivateKeyHidden({
    privateKeyPem,
    publicKeyPem,
    csrPem: lf(forge.pki.certificationRequestToPem(csr)),
    certificatePem,
    notBefore,
    notAfter,
    serial: x509.serialNumber.toUpperCase(),
    fingerprintSha256: x509.fingerprint256,
  });
}

/** 16 random bytes as a positive DER INTEGER: first byte 0x01..0x7f (no sign bit, no padding). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return bytes.toString('hex');
}

function lf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/**
 * Keep the private key out of `--json` output and logs by accident: JSON.stringify and
 * util.inspect (console.log) show `privateKeyPem: '[redacted]'`. Reading the property still works.
 */
export function withPrivateKeyHidden<T extends { privateKeyPem: string }>(value: T): T {
  const redacted = () => ({ ...value, privateKeyPem: '[redacted]' });
  Object.defineProperty(value, 'toJSON', { value: redacted, enumerable: false });
  Object.defineProperty(value, inspect.custom, {
    value: (depth: number, options: object) => inspect(redacted(), { ...options, depth }),
    enumerable: false,
  });
  return value;
}
