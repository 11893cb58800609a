import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateCertificate,
  parseSubjectAltName,
  readCertificateFile,
  readPrivateKeyFor,
  writeCertificateFiles,
  type GeneratedCertificate,
} from '../../../src/cert/index.js';
import { RuntimeError, UsageError } from '../../../src/errors.js';

let root: string;
let gen: GeneratedCertificate;
let other: GeneratedCertificate;
let n = 0;
const fresh = () => join(root, `d${++n}`);

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'albctl-certfiles-'));
  gen = generateCertificate({ cn: 'albctl', san: ['app.example.test', '10.1.2.3'], days: 365, bits: 2048 });
  other = generateCertificate({ cn: 'other', san: ['other.example.test'], days: 10, bits: 2048 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('writeCertificateFiles', () => {
  it('creates nested directories 0700 and leaves no temp files', async () => {
    const dir = join(fresh(), 'a', 'b');
    const paths = await writeCertificateFiles(dir, gen);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).sort()).toEqual(['certificate.crt', 'certificate.csr', 'private.pem', 'public.pem']);
    expect(readFileSync(paths.privateKey, 'utf8')).toBe(gen.privateKeyPem);
    expect(readFileSync(paths.certificate, 'utf8')).toBe(gen.certificatePem);
  });

  it('keeps an existing directory as it is', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await writeCertificateFiles(dir, gen);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
  });

  it('refuses to overwrite, naming the file and --force, and changes nothing', async () => {
    const dir = fresh();
    mkdirSync(dir);
    writeFileSync(join(dir, 'certificate.csr'), 'old');
    const err = await writeCertificateFiles(dir, gen).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toContain(join(dir, 'certificate.csr'));
    expect((err as Error).message).toContain('--force');
    expect(readdirSync(dir)).toEqual(['certificate.csr']);
    expect(readFileSync(join(dir, 'certificate.csr'), 'utf8')).toBe('old');
  });

  it('overwrites with overwrite: true, restoring the modes', async () => {
    const dir = fresh();
    await writeCertificateFiles(dir, other);
    chmodSync(join(dir, 'private.pem'), 0o644);
    await expect(writeCertificateFiles(dir, gen)).rejects.toThrow(/private\.pem already exists/);
    const paths = await writeCertificateFiles(dir, gen, { overwrite: true });
    expect(readFileSync(paths.certificate, 'utf8')).toBe(gen.certificatePem);
    expect(readFileSync(paths.privateKey, 'utf8')).toBe(gen.privateKeyPem);
    expect(statSync(paths.privateKey).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toHaveLength(4);
  });

  it('sets exact modes whatever the umask', async () => {
    for (const mask of [0o000, 0o077]) {
      const old = process.umask(mask);
      try {
        const paths = await writeCertificateFiles(fresh(), gen);
        expect(statSync(paths.privateKey).mode & 0o777).toBe(0o600);
        expect(statSync(paths.certificate).mode & 0o777).toBe(0o644);
      } finally {
        process.umask(old);
      }
    }
  });

  it('a file where the directory should be is a usage error naming --out', async () => {
    const file = join(fresh());
    writeFileSync(file, 'x');
    await expect(writeCertificateFiles(file, gen)).rejects.toThrow(/--out: .* is not a directory/);
    await expect(writeCertificateFiles(join(file, 'sub'), gen)).rejects.toThrow(UsageError);
  });

  it.skipIf(process.getuid?.() === 0)('an unwritable directory is a runtime error naming the file', async () => {
    const dir = fresh();
    mkdirSync(dir, { mode: 0o500 });
    const err = await writeCertificateFiles(dir, gen).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeError);
    expect((err as Error).message).toMatch(/cannot write .*private\.pem: EACCES/);
  });
});

describe('readCertificateFile', () => {
  it('reads what generateCertificate wrote', async () => {
    const paths = await writeCertificateFiles(fresh(), gen);
    const info = await readCertificateFile(paths.certificate);
    expect(info).toMatchObject({
      path: paths.certificate,
      pem: gen.certificatePem,
      subjectCn: 'albctl',
      issuerCn: 'albctl',
      dnsNames: ['app.example.test'],
      ipAddresses: ['10.1.2.3'],
      serial: gen.serial,
      fingerprintSha256: gen.fingerprintSha256,
      selfSigned: true,
      isCa: true,
      keyType: 'rsa',
      keyBits: 2048,
    });
    expect(info.notBefore).toEqual(gen.notBefore);
    expect(info.notAfter).toEqual(gen.notAfter);
    expect(info.chainPem).toBeUndefined();
  });

  it('splits a chain and accepts CRLF files', async () => {
    const file = join(fresh() + '.pem');
    writeFileSync(file, (gen.certificatePem + other.certificatePem).replace(/\n/g, '\r\n'));
    const info = await readCertificateFile(file);
    expect(info.pem).toBe(gen.certificatePem);
    expect(info.chainPem).toBe(other.certificatePem);
  });

  it('reads an openssl-made EC certificate', async () => {
    const dir = fresh();
    mkdirSync(dir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.crt'), '-days', '2', '-subj', '/CN=a\\, b',
      '-addext', 'subjectAltName=DNS:ec.example.test'], { stdio: 'ignore' });
    const info = await readCertificateFile(join(dir, 'c.crt'));
    expect(info).toMatchObject({ subjectCn: 'a, b', dnsNames: ['ec.example.test'], keyType: 'ec', keyBits: 256 });
  });

  it.each([
    ['missing', null, /--certificate: cannot read .*nope\.crt: no such file/],
    ['text', 'hello\n', /--certificate: .* is not a PEM certificate/],
    ['a private key', 'KEY', /holds a private key, not a certificate/],
    ['a CSR', 'CSR', /it is a CSR; pass certificate\.crt/],
    ['DER', 'DER', /looks like DER/],
    ['a broken PEM', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /not a valid certificate/],
  ])('%s is a usage error naming the flag', async (_what, content, message) => {
    const dir = fresh();
    mkdirSync(dir);
    const file = join(dir, 'nope.crt');
    if (content === 'KEY') writeFileSync(file, gen.privateKeyPem);
    else if (content === 'CSR') writeFileSync(file, gen.csrPem);
    else if (content === 'DER') writeFileSync(file, execFileSync('openssl', ['x509', '-outform', 'der'], { input: gen.certificatePem }));
    else if (content !== null) writeFileSync(file, content);
    const err = await readCertificateFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('PRIVATE KEY');
  });

  it('names another flag when asked', async () => {
    await expect(readCertificateFile(join(root, 'missing'), { flag: '--ca' })).rejects.toThrow(/^--ca: /);
  });
});

describe('readPrivateKeyFor', () => {
  it('finds private.pem next to the certificate, hidden from JSON and inspect', async () => {
    const paths = await writeCertificateFiles(fresh(), gen);
    const key = await readPrivateKeyFor(paths.certificate);
    expect(key.path).toBe(paths.privateKey);
    expect(key.privateKeyPem).toBe(gen.privateKeyPem);
    expect(JSON.stringify(key)).not.toContain('PRIVATE KEY');
    expect(inspect(key)).not.toContain('PRIVATE KEY');
  });

  it('a missing key, a foreign key, an encrypted key and garbage are usage errors', async () => {
    const paths = await writeCertificateFiles(fresh(), gen);
    rmSync(paths.privateKey);
    await expect(readPrivateKeyFor(paths.certificate)).rejects.toThrow(/--certificate: no readable private\.pem next to/);

    writeFileSync(paths.privateKey, other.privateKeyPem);
    await expect(readPrivateKeyFor(paths.certificate)).rejects.toThrow(/is not the private key of/);

    const encrypted = execFileSync('openssl', ['rsa', '-aes256', '-passout', 'pass:secret'], { input: gen.privateKeyPem, stdio: ['pipe', 'pipe', 'ignore'] });
    writeFileSync(paths.privateKey, encrypted);
    await expect(readPrivateKeyFor(paths.certificate)).rejects.toThrow(/is encrypted/);

    writeFileSync(paths.privateKey, 'not a key');
    const err = await readPrivateKeyFor(paths.certificate).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/is not a PEM private key/);
    expect(existsSync(paths.certificate)).toBe(true);
  });
});

describe('parseSubjectAltName', () => {
  it('reads Node\'s format, quoted values included', () => {
    expect(parseSubjectAltName('DNS:a.test, IP Address:1.2.3.4, DNS:"b,c", email:x@y')).toEqual([
      { type: 'DNS', value: 'a.test' },
      { type: 'IP Address', value: '1.2.3.4' },
      { type: 'DNS', value: 'b,c' },
      { type: 'email', value: 'x@y' },
    ]);
    expect(parseSubjectAltName(undefined)).toEqual([]);
  });
});
