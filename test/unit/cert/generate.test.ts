// The generated files checked by the real openssl binary, as a user following the seed would.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificate, writeCertificateFiles, type CertificatePaths, type GeneratedCertificate } from '../../../src/cert/index.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe.skipIf(!hasOpenssl)('generateCertificate, checked with openssl', () => {
  let dir: string;
  let gen: GeneratedCertificate;
  let paths: CertificatePaths;
  const started = Date.now();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'albctl-cert-'));
    gen = generateCertificate({ cn: 'albctl', san: ['app.example.test', 'www.example.test', '127.0.0.1'], days: 365, bits: 2048 });
    paths = await writeCertificateFiles(join(dir, 'cert'), gen);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the four files of the seed with the documented modes', () => {
    expect(paths.privateKey).toBe(join(dir, 'cert', 'private.pem'));
    expect(statSync(paths.privateKey).mode & 0o777).toBe(0o600);
    expect(statSync(paths.publicKey).mode & 0o777).toBe(0o644);
    expect(statSync(paths.csr).mode & 0o777).toBe(0o644);
    expect(statSync(paths.certificate).mode & 0o777).toBe(0o644);
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    expect(gen.privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(gen.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(gen.certificatePem).not.toContain('\r');
  });

  it('the certificate verifies against itself as a CA', () => {
    expect(openssl('verify', '-CAfile', paths.certificate, paths.certificate).trim()).toBe(`${paths.certificate}: OK`);
  });

  it('the CSR verifies and requests the subjectAltName', () => {
    const r = spawnSync('openssl', ['req', '-in', paths.csr, '-verify', '-noout', '-text'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/verify OK/);
    expect(r.stdout).toMatch(/Subject: CN\s*=\s*albctl/);
    expect(r.stdout).toContain('DNS:app.example.test, DNS:www.example.test, IP Address:127.0.0.1');
    expect(r.stdout).toContain('sha256WithRSAEncryption');
  });

  it('x509 -text shows RSA 2048, SHA-256, the CN, SANs, extensions and a year of validity starting in the past', () => {
    const text = openssl('x509', '-in', paths.certificate, '-noout', '-text');
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Subject: CN\s*=\s*albctl/);
    expect(text).toMatch(/Issuer: CN\s*=\s*albctl/);
    expect(text).toContain('DNS:app.example.test, DNS:www.example.test, IP Address:127.0.0.1');
    expect(text).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign/);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toContain('X509v3 Subject Key Identifier');

    const date = (flag: string) => new Date(openssl('x509', '-in', paths.certificate, '-noout', flag).trim().split('=')[1] as string);
    const notBefore = date('-startdate');
    const notAfter = date('-enddate');
    expect(notBefore.getTime()).toBe(gen.notBefore.getTime());
    expect(notAfter.getTime()).toBe(gen.notAfter.getTime());
    expect(notBefore.getTime()).toBeLessThanOrEqual(started - 4 * 60_000); // backdated ~5 minutes
    expect(notBefore.getTime()).toBeGreaterThan(started - 6 * 60_000);
    const days = (notAfter.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364.99);
    expect(days).toBeLessThanOrEqual(365);
  });

  it('serial and fingerprint match what openssl reports', () => {
    const serial = openssl('x509', '-in', paths.certificate, '-noout', '-serial').trim().replace(/^serial=/, '');
    expect(serial.replace(/^0+/, '')).toBe(gen.serial.replace(/^0+/, ''));
    expect(gen.serial).toMatch(/^[0-7][0-9A-F]{31}$/); // 128 bits, positive
    const fp = openssl('x509', '-in', paths.certificate, '-noout', '-fingerprint', '-sha256').trim();
    expect(fp.split('=')[1]).toBe(gen.fingerprintSha256);
  });

  it('the private key passes rsa -check, and public.pem and the certificate carry its modulus', () => {
    expect(openssl('rsa', '-in', paths.privateKey, '-check', '-noout')).toMatch(/RSA key ok/);
    const modulus = openssl('rsa', '-in', paths.privateKey, '-noout', '-modulus').trim();
    expect(openssl('rsa', '-pubin', '-in', paths.publicKey, '-noout', '-modulus').trim()).toBe(modulus);
    expect(openssl('x509', '-in', paths.certificate, '-noout', '-modulus').trim()).toBe(modulus);
    expect(openssl('req', '-in', paths.csr, '-noout', '-modulus').trim()).toBe(modulus);
  });

  it('keeps the private key out of JSON and inspect output', () => {
    expect(JSON.stringify(gen)).not.toContain('PRIVATE KEY');
    expect(JSON.parse(JSON.stringify(gen)).privateKeyPem).toBe('[redacted]');
    expect(JSON.parse(JSON.stringify(gen)).certificatePem).toBe(gen.certificatePem);
    expect(inspect(gen)).not.toContain('PRIVATE KEY');
    expect(gen.privateKeyPem).toContain('PRIVATE KEY');
  });
});

describe.skipIf(!hasOpenssl)('generateCertificate options', () => {
  it('honours bits, days and a fixed clock', () => {
    const now = new Date('2030-01-02T03:04:05.678Z');
    const gen = generateCertificate({ cn: 'x', san: ['x.example.test'], days: 30, bits: 3072, now });
    expect(gen.notBefore.toISOString()).toBe('2030-01-02T02:59:05.000Z');
    expect(gen.notAfter.toISOString()).toBe('2030-02-01T03:04:05.000Z');
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: gen.certificatePem, encoding: 'utf8' });
    expect(text).toContain('Public-Key: (3072 bit)');
  });

  it('puts IPv6 literals and wildcards in the SAN and encodes an odd CN as UTF8String', () => {
    const gen = generateCertificate({ cn: 'web_01 @ test*', san: ['*.apps.example.test', '::1'], days: 1, bits: 2048 });
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8,show_type'], { input: gen.certificatePem, encoding: 'utf8' });
    expect(text).toContain('DNS:*.apps.example.test, IP Address:0:0:0:0:0:0:0:1');
    expect(text).toMatch(/CN=UTF8STRING:web_01 @ test\*/);
  });

  it('validates its options like the flags', () => {
    expect(() => generateCertificate({ cn: 'x'.repeat(65), san: [], days: 1, bits: 2048 })).toThrow(/--cn/);
    expect(() => generateCertificate({ cn: 'x', san: ['bad_name.test'], days: 1, bits: 2048 })).toThrow(/--san/);
    expect(() => generateCertificate({ cn: 'x', san: [], days: 0, bits: 2048 })).toThrow(/--days/);
    expect(() => generateCertificate({ cn: 'x', san: [], days: 1, bits: 1024 })).toThrow('--bits must be 2048, 3072 or 4096 (got 1024)');
  });

  it('makes a different serial every time', () => {
    const a = generateCertificate({ cn: 'x', san: [], days: 1, bits: 2048 });
    const b = generateCertificate({ cn: 'x', san: [], days: 1, bits: 2048 });
    expect(a.serial).not.toBe(b.serial);
  });
});
