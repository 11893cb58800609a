// `albctl cert` against moto: the four files (openssl verifies them), the key kept out of the
// state, the output and the logs; `--upload` to IAM; re-runs, --force, bad input, destroy.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GetServerCertificateCommand, IAMClient, UploadServerCertificateCommand } from '@aws-sdk/client-iam';
import { generateCertificate } from '../../src/cert/generate.js';
import { edgeQueries, errorLines, mutatingCalls } from '../support/edge.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();
const q = edgeQueries(moto);
function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
/** openssl req -verify: OpenSSL 3 says "Certificate request self-signature verify OK" (1.1: "verify OK") on stderr. */
function verifyCsr(file: string): string {
  const r = spawnSync('openssl', ['req', '-verify', '-noout', '-in', file], { encoding: 'utf8' });
  return `exit ${r.status}: ${r.stdout}${r.stderr}`;
}

const KEY_LINE = /PRIVATE KEY/;

describe('albctl cert', () => {
  it('writes the four files, which openssl verifies; the key stays out of the state, the output and the logs', async () => {
    const dir = await tempDir();
    const res = await moto.cli(['cert', '--json', '-v'], dir);
    expect(res.code, res.stderr).toBe(0);
    const certDir = path.join(dir, '.albctl', 'albctl', 'cert');
    const file = (f: string) => path.join(certDir, f);
    for (const f of ['private.pem', 'public.pem', 'certificate.csr', 'certificate.crt']) expect(existsSync(file(f)), f).toBe(true);
    expect((await stat(file('private.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(file('private.pem'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);

    expect(openssl(['verify', '-CAfile', file('certificate.crt'), file('certificate.crt')])).toContain(': OK');
    expect(verifyCsr(file('certificate.csr'))).toMatch(/^exit 0: .*verify OK/s);
    const text = openssl(['x509', '-in', file('certificate.crt'), '-noout', '-text']);
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    // No load balancer in the state yet: the stack name is the CN (and, being a host name, the SAN).
    expect(text).toMatch(/Subject: CN ?= ?albctl\n/);
    expect(text).toMatch(/DNS:albctl\b/);
    // The key and the certificate belong together.
    const mod = (args: string[]) => openssl(args).trim();
    expect(mod(['rsa', '-in', file('private.pem'), '-noout', '-modulus'])).toBe(mod(['x509', '-in', file('certificate.crt'), '-noout', '-modulus']));

    const doc = JSON.parse(res.stdout);
    expect(doc.certificateFiles).toMatchObject({ dir: certDir, privateKey: file('private.pem'), cn: 'albctl', days: 365, bits: 2048 });
    expect(doc.serverCertificate).toBeNull();
    const keyBody = (await readFile(file('private.pem'), 'utf8')).split('\n')[1]!;
    const stateText = await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8');
    for (const [where, text] of [['state', stateText], ['stdout', res.stdout], ['stderr', res.stderr]] as const) {
      expect(text, where).not.toMatch(KEY_LINE);
      expect(text, where).not.toContain(keyBody);
    }
    expect(JSON.parse(stateText).resources.certificateFiles).toMatchObject({ kind: 'albctl::CertificateFiles', status: 'created', name: certDir });

    const again = await moto.cli(['cert'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');

    // Different settings mean a new key: refused without --force, nothing rewritten.
    const before = await readFile(file('certificate.crt'), 'utf8');
    const refused = await moto.cli(['cert', '--days', '30'], dir);
    expect(refused.code).toBe(2);
    expect(errorLines(refused.stderr)).toEqual([expect.stringMatching(/certificate\.crt exists and differs from what was asked \(days: 365 → 30\): pass --force to replace the files$/)]);
    expect(await readFile(file('certificate.crt'), 'utf8')).toBe(before);
    const forced = await moto.cli(['cert', '--days', '30', '--bits', '3072', '--force', '--json'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout).actions[0]).toMatchObject({ action: 'update', changes: ['days: 365 → 30', 'bits: 2048 → 3072'] });
    expect(await readFile(file('certificate.crt'), 'utf8')).not.toBe(before);
    expect(openssl(['x509', '-in', file('certificate.crt'), '-noout', '-text'])).toMatch(/Public-Key: \(3072 bit\)/);
    expect((await stat(file('private.pem'))).mode & 0o777).toBe(0o600);

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(existsSync(certDir)).toBe(false);
  });

  it('uses the load balancer DNS name and uploads to IAM; the name is computed once and kept', async () => {
    const dir = await tempDir();
    expect((await moto.cli(['target-group'], dir)).code).toBe(0);
    expect((await moto.cli(['alb'], dir)).code).toBe(0);
    const [lb] = await q.loadBalancers();
    const res = await moto.cli(['cert', '--upload', '--json', '-v'], dir);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    const name = doc.serverCertificate.name as string;
    expect(name).toMatch(/^albctl-cert-\d{12}$/);
    expect(doc.certificateFiles).toMatchObject({ cn: lb!.DNSName, san: [lb!.DNSName] });

    const certs = await q.serverCertificates();
    expect(certs).toHaveLength(1);
    expect(certs[0]).toMatchObject({ ServerCertificateName: name, Path: '/albctl/albctl/' });
    expect(certs[0]!.Arn).toBe(`arn:aws:iam::123456789012:server-certificate/albctl/albctl/${name}`);
    // IAM holds exactly the certificate on disk.
    const got = await moto.client(IAMClient).send(new GetServerCertificateCommand({ ServerCertificateName: name }));
    const onDisk = await readFile(doc.certificateFiles.certificate, 'utf8');
    expect(got.ServerCertificate!.CertificateBody!.trim()).toBe(onDisk.trim());
    // The upload carries the key to IAM; nothing of it reaches the state, the output or the logs.
    const keyBody = (await readFile(doc.certificateFiles.privateKey, 'utf8')).split('\n')[1]!;
    const stateText = await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8');
    for (const text of [stateText, res.stdout, res.stderr]) {
      expect(text).not.toMatch(KEY_LINE);
      expect(text).not.toContain(keyBody);
    }
    expect(res.stderr).toMatch(/aws IAM\.UploadServerCertificate \d+ms/);
    expect(JSON.parse(stateText).inputs.certificateName).toBe(name);

    // Saved in the state: a re-run minutes later keeps the name and changes nothing.
    const again = await moto.cli(['cert', '--upload'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect((await q.serverCertificates()).map((c) => c.ServerCertificateName)).toEqual([name]);

    // New files after the upload would leave IAM on the old key: --force is refused for --rotate,
    // before anything changes; files replaced by hand are refused on upload.
    const forced = await moto.cli(['cert', '--force', '-v'], dir);
    expect(forced.code).toBe(2);
    expect(errorLines(forced.stderr)).toEqual([
      expect.stringMatching(/^albctl: --force would replace the files of IAM server certificate albctl-cert-\d{12}, which cannot change: `albctl cert --rotate` makes a new key/),
    ]);
    expect(mutatingCalls(forced.stderr)).toEqual([]);
    expect(await readFile(doc.certificateFiles.certificate, 'utf8')).toBe(onDisk);
    const https = await moto.cli(['https'], dir);
    expect(https.code, https.stderr).toBe(0);
    const { cn, san } = doc.certificateFiles as { cn: string; san: string[] };
    await writeFile(doc.certificateFiles.certificate, generateCertificate({ cn, san, days: 365 }).certificatePem);
    const reupload = await moto.cli(['cert', '--upload'], dir);
    expect(reupload.code).toBe(2);
    expect(errorLines(reupload.stderr)[0]).toMatch(/certificate\.crt is not the certificate uploaded as albctl-cert-\d{12} .*cannot change in place: restore the files, or replace both with `albctl cert --rotate`/);
    await writeFile(doc.certificateFiles.certificate, onDisk);

    // status shows the expiry read from the certificate itself. moto differs from AWS: its
    // metadata Expiration is a constant in 2012 (already "expired"), so albctl reads the body.
    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout);
    const row = status.resources.find((r: { resource: string }) => r.resource === 'serverCertificate');
    expect(row).toMatchObject({ name, state: 'valid', data: { expiresInDays: expect.any(Number) } });
    expect(row.data.expiresInDays).toBeGreaterThanOrEqual(363);
    expect(row.detail).toMatch(/^expires \d{4}-\d\d-\d\d \(in 36\d days\)/);
    expect(status.resources.find((r: { resource: string }) => r.resource === 'certificateFiles')).toMatchObject({ state: 'valid' });

    const destroyed = await moto.cli(['destroy', '--yes', '--keep-files'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await q.serverCertificates()).toEqual([]);
    expect(existsSync(doc.certificateFiles.certificate)).toBe(true); // --keep-files
    expect(existsSync(doc.certificateFiles.privateKey)).toBe(true);
  });

  it('refuses bad input with exit 2 naming the flag, writing nothing', async () => {
    const dir = await tempDir();
    for (const [args, pattern] of [
      [['--bits', '1024'], /^albctl: --bits must be 2048, 3072 or 4096 \(got 1024\)$/],
      [['--days', '0'], /^albctl: --days must be a whole number of days from 1 to 3650/],
      [['--days', '3651'], /^albctl: --days must be a whole number of days from 1 to 3650/],
      [['--cn', 'x'.repeat(65)], /^albctl: --cn must be at most 64 characters \(got 65\)/],
      [['--san', 'bad_name.example.com'], /^albctl: --san: "bad_name\.example\.com" is not a valid DNS name or IP address/],
      [['--name', 'has space'], /^albctl: --name may contain only letters, digits and _\+=,\.@-/],
      [['--name', 'x'.repeat(129)], /^albctl: --name must be 1 to 128 characters/],
      [['--out', ''], /^albctl: --out must name a directory/],
    ] as const) {
      const res = await moto.cli(['cert', ...args, '-v'], dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(errorLines(res.stderr), args.join(' ')).toEqual([expect.stringMatching(pattern)]);
      expect(mutatingCalls(res.stderr)).toEqual([]);
    }
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);
    expect(await q.serverCertificates()).toEqual([]);
  });

  it('without --upload needs no AWS configuration at all: empty HOME, no AWS_* variables', async () => {
    const dir = await tempDir();
    const home = path.join(dir, 'home');
    await mkdir(home);
    const env = { HOME: home }; // runCli passes only PATH, HOME, CI and NO_COLOR besides these
    const res = await runCli(['cert', '--cn', 'localhost', '--san', 'localhost,127.0.0.1', '--json', '-v'], { cwd: dir, env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).not.toMatch(/^aws /m); // not one AWS call, not even sts:GetCallerIdentity
    const doc = JSON.parse(res.stdout);
    expect(doc.certificateFiles).toMatchObject({ cn: 'localhost', san: ['localhost', '127.0.0.1'] });
    const file = (f: string) => path.join(dir, '.albctl', 'albctl', 'cert', f);
    for (const f of ['private.pem', 'public.pem', 'certificate.csr', 'certificate.crt']) expect(existsSync(file(f)), f).toBe(true);
    expect(openssl(['verify', '-CAfile', file('certificate.crt'), file('certificate.crt')])).toContain(': OK');
    expect(verifyCsr(file('certificate.csr'))).toMatch(/^exit 0: .*verify OK/s);
    expect(openssl(['x509', '-in', file('certificate.crt'), '-noout', '-ext', 'subjectAltName'])).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1/);
    // The state records the files and no account: a later run with AWS fills that in.
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.account).toBeUndefined();
    expect(state.resources.certificateFiles.status).toBe('created');

    // --upload does need AWS: without credentials, a usage error before anything is uploaded.
    const upload = await runCli(['cert', '--upload', '--region', 'us-east-1'], { cwd: dir, env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' } });
    expect(upload.code, upload.stderr).toBe(2);
    expect(errorLines(upload.stderr)).toEqual([expect.stringMatching(/credentials/i)]);
  });

  it('never adopts an IAM certificate of the same name that is not the stack\'s', async () => {
    const dir = await tempDir();
    expect((await moto.cli(['cert', '--name', 'shared-cert'], dir)).code).toBe(0);
    const body = await readFile(path.join(dir, '.albctl', 'albctl', 'cert', 'certificate.crt'), 'utf8');
    const key = await readFile(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem'), 'utf8');
    // Someone else's certificate, with the same name, outside albctl's path and untagged. (moto
    // differs from AWS: it has no ListServerCertificateTags (HTTP 500, retried by the SDK for ~3 s)
    // and ignores UploadServerCertificate's Tags; albctl's /albctl/<stack>/ path is the mark it reads.)
    await moto.client(IAMClient).send(new UploadServerCertificateCommand({ ServerCertificateName: 'shared-cert', CertificateBody: body, PrivateKey: key }));
    const res = await moto.cli(['cert', '--upload'], dir);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/shared-cert exists but is not this stack's/);
    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect((await q.serverCertificates()).map((c) => c.ServerCertificateName)).toEqual(['shared-cert']);
  });

  it('destroy retries DeleteConflict on DeleteServerCertificate until it goes through', async () => {
    const proxy = await moto.proxy();
    const env = awsEnv(proxy.url);
    const dir = await tempDir();
    const made = await runCli(['cert', '--upload'], { cwd: dir, env });
    expect(made.code, made.stderr).toBe(0);
    // moto never says DeleteConflict; IAM does for a while after the listener using it is gone.
    proxy.rules.push({
      service: 'iam',
      action: 'DeleteServerCertificate',
      times: 3,
      error: { status: 409, code: 'DeleteConflict', message: 'Certificate is in use' },
    });
    const res = await runCli(['destroy', '--yes'], { cwd: dir, env });
    expect(res.code, res.stderr).toBe(0);
    expect(proxy.calls.filter((c) => c.action === 'DeleteServerCertificate').map((c) => c.fault ?? 'ok')).toEqual([
      'DeleteConflict',
      'DeleteConflict',
      'DeleteConflict',
      'ok',
    ]);
    expect(await q.serverCertificates()).toEqual([]);
    expect(existsSync(path.join(dir, '.albctl', 'albctl', 'cert'))).toBe(false);
  });
});
