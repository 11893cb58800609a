// Certificate rotation through the built CLI against moto: `cert --rotate` uploads a new
// certificate under a new name, switches the HTTPS listener, promotes the new files and deletes
// the old certificate after DeleteConflicts (which moto never sends: injected); `loadtest`'s
// default --ca then verifies the certificate the listener presents. `init` rotates on its own a
// certificate that expires within 30 days, and says so; `status` warns first.
import { createServer } from 'node:https';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetServerCertificateCommand, IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { generateCertificate, writeCertificateFiles } from '../../src/cert/index.js';
import { readCertificateFile } from '../../src/cert/files.js';
import { errorLines } from '../support/edge.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();

interface Stack {
  dir: string;
  certDir: string;
  state(): Promise<{ inputs: Record<string, unknown>; resources: Record<string, { id?: string; name?: string; outputs: Record<string, unknown> }> }>;
}

function stackIn(dir: string): Stack {
  return {
    dir,
    certDir: path.join(dir, '.albctl', 'albctl', 'cert'),
    state: async () => JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8')),
  };
}

async function iamCertificates(): Promise<string[]> {
  const out = await moto.client(IAMClient).send(new ListServerCertificatesCommand({}));
  return (out.ServerCertificateMetadataList ?? []).map((m) => m.ServerCertificateName!).sort();
}

/** The certificate ARN the HTTPS listener presents, read from moto. */
async function listenerCertificate(listenerArn: string): Promise<string | undefined> {
  const out = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  return out.Listeners?.[0]?.Certificates?.[0]?.CertificateArn;
}

/**
 * A TLS server presenting what the load balancer would: the certificate body IAM holds for the
 * listener's certificate, with the stack's private.pem (IAM never returns a key).
 */
async function presenting(certificateName: string, keyFile: string): Promise<{ port: number; close(): Promise<void> }> {
  const got = await moto.client(IAMClient).send(new GetServerCertificateCommand({ ServerCertificateName: certificateName }));
  const server = createServer({ cert: got.ServerCertificate!.CertificateBody!, key: await readFile(keyFile, 'utf8') }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('certificate rotation', () => {
  it('cert --rotate: new name, listener switched, old one deleted after DeleteConflicts; state and files follow; loadtest verifies the new one', async () => {
    const s = stackIn(await tempDir());
    // Everything through the proxy: the state records the endpoint it was made against.
    const proxy = await moto.proxy();
    const cli = (args: string[]) => runCli(args, { cwd: s.dir, env: awsEnv(proxy.url) });
    const built = await cli(['init', '--yes', '--instances', '0']);
    expect(built.code, built.stderr).toBe(0);
    const before = await s.state();
    const oldName = before.resources.serverCertificate!.name!;
    const oldCert = await readFile(path.join(s.certDir, 'certificate.crt'), 'utf8');
    const listenerArn = before.resources.httpsListener!.id!;

    // While the load balancer still holds the old certificate, IAM refuses to delete it.
    proxy.rules.push({ action: 'DeleteServerCertificate', times: 3, error: { status: 409, code: 'DeleteConflict', message: 'Certificate is currently in use (injected)' } });
    const from = proxy.calls.length;
    const rotated = await cli(['cert', '--rotate', '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const calls = proxy.calls.slice(from).filter((c) => /^(UploadServerCertificate|ModifyListener|DeleteServerCertificate)$/.test(c.action));
    expect(calls.map((c) => `${c.action}${c.fault ? ` ${c.fault}` : ''}`)).toEqual([
      'UploadServerCertificate',
      'ModifyListener',
      'DeleteServerCertificate DeleteConflict',
      'DeleteServerCertificate DeleteConflict',
      'DeleteServerCertificate DeleteConflict',
      'DeleteServerCertificate',
    ]);

    const after = await s.state();
    const newName = after.resources.serverCertificate!.name!;
    expect(newName).toMatch(/^albctl-cert-\d{12}(-\d+)?$/);
    expect(newName).not.toBe(oldName);
    expect(await iamCertificates()).toEqual([newName]);
    expect(await listenerCertificate(listenerArn)).toBe(after.resources.serverCertificate!.id);
    // The state follows: the listener's record, the files' fingerprint, the saved name; no rotation left.
    expect(after.resources.httpsListener!.outputs.certificateArn).toBe(after.resources.serverCertificate!.id);
    expect(after.inputs.certificateName).toBe(newName);
    expect(after.resources.serverCertificate!.outputs.rotation).toBeUndefined();
    const onDisk = await readCertificateFile(path.join(s.certDir, 'certificate.crt'));
    expect(onDisk.fingerprintSha256).toBe(after.resources.serverCertificate!.outputs.fingerprintSha256);
    expect(after.resources.certificateFiles!.outputs.fingerprintSha256).toBe(onDisk.fingerprintSha256);
    expect(existsSync(path.join(s.certDir, 'next'))).toBe(false);
    expect(JSON.parse(rotated.stdout).actions[0]).toMatchObject({ step: 'certificateRotation', action: 'update' });

    // Re-runs change nothing; status shows the new certificate, valid.
    for (const args of [['cert'], ['https'], ['init', '--yes']]) {
      const r = await cli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      expect(r.stderr, args[0]).toMatch(/nothing to do/);
    }
    const status = JSON.parse((await cli(['status', '--json'])).stdout).resources as { resource: string; name: string; state: string }[];
    expect(status.find((r) => r.resource === 'serverCertificate')).toMatchObject({ name: newName, state: 'valid' });

    // `loadtest` without --ca trusts the state's certificate.crt: it verifies what the listener presents now.
    const dns = after.resources.loadBalancer!.outputs.dnsName as string;
    const server = await presenting(newName, path.join(s.certDir, 'private.pem'));
    try {
      const connect = ['--connect-to', `${dns}:443:127.0.0.1:${server.port}`, '-c', '2', '-d', '1s', '--json'];
      const verified = await cli(['loadtest', ...connect]);
      expect(verified.code, verified.stderr).toBe(0);
      const doc = JSON.parse(verified.stdout);
      expect(doc.requests.ok).toBeGreaterThan(0);
      expect(Object.values(doc.errors as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(0);
      // The control: the old certificate does not verify it.
      const oldCa = path.join(s.dir, 'old.crt');
      await writeFile(oldCa, oldCert);
      const refused = JSON.parse((await cli(['loadtest', ...connect, '--ca', oldCa])).stdout || '{}');
      expect(refused.requests?.ok ?? 0).toBe(0);
      expect(refused.errors?.tls).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('status warns within 30 days of expiry; init rotates such a certificate on its own and says so; cert --force after an upload is refused', async () => {
    const s = stackIn(await tempDir());
    const built = await moto.cli(['init', '--yes', '--no-https', '--instances', '0'], s.dir);
    expect(built.code, built.stderr).toBe(0);
    // A 365-day certificate made 340 days ago: 25 days left (albctl's own, the load balancer's name).
    const dns = (await s.state()).resources.loadBalancer!.outputs.dnsName as string;
    const aged = generateCertificate({ cn: dns, san: [dns], days: 365, now: new Date(Date.now() - 340 * 86_400_000) });
    await writeCertificateFiles(s.certDir, aged, { overwrite: true });
    for (const args of [['cert', '--upload'], ['https']]) {
      const r = await moto.cli(args, s.dir);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
    const old = (await s.state()).resources.serverCertificate!.name!;

    const status = await moto.cli(['status'], s.dir);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toMatch(new RegExp(`serverCertificate +${old} +expiring +expires \\S+ \\(in 2[45] days\\)`));
    expect(status.stderr).toMatch(new RegExp(`warning: certificate ${old} expires in 2[45] day\\(s\\): \`albctl cert --rotate\` replaces it`));

    const forced = await moto.cli(['cert', '--force'], s.dir);
    expect(forced.code).toBe(2);
    expect(errorLines(forced.stderr)[0]).toMatch(/--force would replace the files of IAM server certificate .* `albctl cert --rotate`/);

    const init = await moto.cli(['init', '--yes'], s.dir);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toMatch(new RegExp(`warning: certificate ${old} expires in 2[45] day\\(s\\); init rotates it`));
    expect(init.stderr).toMatch(/certificate rotation \(it expires in 2[45] day\(s\)\)/);
    const after = await s.state();
    expect(await iamCertificates()).toEqual([after.resources.serverCertificate!.name]);
    expect(after.resources.serverCertificate!.name).not.toBe(old);
    const days = (Date.parse(after.resources.serverCertificate!.outputs.expiration as string) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(360);
    const again = await moto.cli(['init', '--yes'], s.dir);
    expect(again.stderr).toMatch(/nothing to do/);
    expect(again.stderr).not.toMatch(/warning: certificate/);
  }, 120_000);
});
