// `albctl https` against moto: the HTTPS listener with the IAM certificate and the TLS 1.3 policy
// (always passed), --redirect-http, --certificate as a file, a name or an ARN, bad input, retries.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeSSLPoliciesCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DEFAULT_SSL_POLICY } from '../../src/inputs/https.js';
import { edgeQueries, errorLines, mutatingCalls } from '../support/edge.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();
const q = edgeQueries(moto);
type Env = Record<string, string>;

async function stackWithAlb(env: Env = moto.env): Promise<string> {
  const dir = await tempDir();
  for (const args of [['target-group'], ['alb']]) {
    const res = await runCli(args, { cwd: dir, env });
    expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
  }
  return dir;
}

async function listenerOn(port: number) {
  return (await q.listeners()).find((l) => l.Port === port);
}

describe('albctl https', () => {
  it('needs the load balancer and a certificate first (exit 2, the command to run, nothing created)', async () => {
    const bare = await tempDir();
    const noLb = await moto.cli(['https', '-v'], bare);
    expect(noLb.code).toBe(2);
    expect(errorLines(noLb.stderr)).toEqual([expect.stringMatching(/this needs the load balancer, .* run `albctl alb` first$/)]);
    expect(mutatingCalls(noLb.stderr)).toEqual([]);

    const dir = await stackWithAlb();
    const noCert = await moto.cli(['https', '-v'], dir);
    expect(noCert.code).toBe(2);
    expect(errorLines(noCert.stderr)).toEqual([
      'albctl: the HTTPS listener needs a certificate: run `albctl cert --upload` first, or pass --certificate <arn|name|certificate.crt>',
    ]);
    expect(mutatingCalls(noCert.stderr)).toEqual([]);
    expect(await listenerOn(443)).toBeUndefined();
  });

  it('creates HTTPS:443 with the IAM certificate and the TLS 1.3 policy; converges; --redirect-http; destroy leaves nothing', async () => {
    const dir = await stackWithAlb();
    expect((await moto.cli(['cert', '--upload'], dir)).code).toBe(0);
    const [cert] = await q.serverCertificates();
    const [tg] = await q.targetGroups();

    const res = await moto.cli(['https', '--json', '-v'], dir);
    expect(res.code, res.stderr).toBe(0);
    // The API's default would be ELBSecurityPolicy-2016-08: albctl always sends one.
    expect(res.stderr).toMatch(/aws ElasticLoadBalancingV2\.DescribeSSLPolicies/);
    const https = await listenerOn(443);
    expect(https).toMatchObject({
      Protocol: 'HTTPS',
      Port: 443,
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
      Certificates: [expect.objectContaining({ CertificateArn: cert!.Arn })],
      DefaultActions: [expect.objectContaining({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn })],
    });
    const [lb] = await q.loadBalancers();
    const doc = JSON.parse(res.stdout);
    expect(doc.url).toBe(`https://${lb!.DNSName}/`);
    expect(doc.httpsListener).toMatchObject({ arn: https!.ListenerArn, port: 443, sslPolicy: DEFAULT_SSL_POLICY, certificateArn: cert!.Arn });
    // FSBP ELB.1: with HTTPS, HTTP redirects by default (--no-redirect-http keeps it forwarding).
    expect(doc.httpListener.defaultAction).toMatchObject({ type: 'redirect', protocol: 'HTTPS' });
    expect((await listenerOn(80))!.DefaultActions![0]!.Type).toBe('redirect');

    expect((await moto.cli(['https'], dir)).stderr).toContain('nothing to do');

    const policy = await moto.cli(['https', '--ssl-policy', 'ELBSecurityPolicy-TLS13-1-3-2021-06', '--json'], dir);
    expect(policy.code, policy.stderr).toBe(0);
    expect(JSON.parse(policy.stdout).actions.find((a: { step: string }) => a.step === 'httpsListener')).toMatchObject({
      action: 'update',
      changes: [`security policy: ${DEFAULT_SSL_POLICY} → ELBSecurityPolicy-TLS13-1-3-2021-06`],
    });
    expect((await listenerOn(443))!.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-3-2021-06');
    expect((await q.listeners()).filter((l) => l.Port === 443)).toHaveLength(1);

    // --redirect-http: the HTTP listener answers 301 with the same host, path and query on HTTPS:443.
    const redirect = await moto.cli(['https', '--redirect-http', '--json'], dir);
    expect(redirect.code, redirect.stderr).toBe(0);
    expect((await listenerOn(80))!.DefaultActions).toEqual([
      expect.objectContaining({
        Type: 'redirect',
        RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' },
      }),
    ]);
    // The redirect is applied after the HTTPS listener (a second batch), never before it.
    const steps = JSON.parse(redirect.stdout).actions.map((a: { step: string }) => a.step);
    expect(steps.indexOf('httpListener')).toBeGreaterThan(steps.indexOf('httpsListener'));
    // Saved: re-running `alb` keeps the redirect.
    expect((await moto.cli(['alb'], dir)).stderr).toContain('nothing to do');
    const back = await moto.cli(['https', '--no-redirect-http'], dir);
    expect(back.code, back.stderr).toBe(0);
    expect((await listenerOn(80))!.DefaultActions).toEqual([expect.objectContaining({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn })]);

    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout).resources as { resource: string; name: string; detail: string }[];
    expect(status.find((r) => r.resource === 'httpsListener')).toMatchObject({
      name: 'HTTPS:443',
      detail: `forward → albctl-tg, ELBSecurityPolicy-TLS13-1-3-2021-06, certificate ${cert!.ServerCertificateName}`,
    });

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await q.loadBalancers()).toEqual([]);
    expect(await q.serverCertificates()).toEqual([]);
    expect(await q.securityGroups()).toEqual([]);
    expect(await q.targetGroups()).toEqual([]);
    expect(existsSync(path.join(dir, '.albctl', 'albctl.json'))).toBe(false);
  });

  it('moto knows the 2025 post-quantum policies; an unknown --ssl-policy is refused before anything changes', async () => {
    // moto 5.2.5 lists ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09. It differs from AWS in two ways:
    // DescribeSSLPolicies with an unknown name answers an empty list (AWS: SSLPolicyNotFound), and
    // CreateListener does not validate SslPolicy at all, hence albctl's own check.
    const known = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeSSLPoliciesCommand({ Names: [DEFAULT_SSL_POLICY] }));
    expect(known.SslPolicies!.map((p) => p.Name)).toEqual([DEFAULT_SSL_POLICY]);
    expect(known.SslPolicies![0]!.SslProtocols).toEqual(expect.arrayContaining(['TLSv1.3', 'TLSv1.2']));

    const dir = await stackWithAlb();
    expect((await moto.cli(['cert', '--upload'], dir)).code).toBe(0);
    for (const [args, pattern] of [
      [['--ssl-policy', 'ELBSecurityPolicy-Nope-2099'], /^albctl: --ssl-policy ELBSecurityPolicy-Nope-2099 is not an ELB security policy in this region/],
      [['--ssl-policy', 'bad policy'], /^albctl: --ssl-policy must be an ELB security policy name like /],
      [['--port', '80'], /^albctl: --port 80 is the HTTP listener's port: the HTTP and HTTPS listeners need different ports$/],
      [['--port', '70000'], /^albctl: --port must be an integer from 1 to 65535/],
      [['--certificate', 'no-such-cert'], /^albctl: --certificate: there is no IAM server certificate named no-such-cert$/],
      [['--certificate', 'arn:aws:iam::123456789012:server-certificate/nope'], /^albctl: --certificate: there is no IAM server certificate arn:aws:iam::123456789012:server-certificate\/nope/],
      [['--certificate', 'arn:aws:s3:::bucket'], /^albctl: --certificate must be an IAM server certificate ARN/],
      [['--certificate', './missing/certificate.crt'], /^albctl: --certificate: cannot read .*missing\/certificate\.crt: no such file$/],
    ] as const) {
      const res = await moto.cli(['https', ...args, '-v'], dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      expect(errorLines(res.stderr), args.join(' ')).toEqual([expect.stringMatching(pattern)]);
      expect(mutatingCalls(res.stderr), args.join(' ')).toEqual([]);
    }
    expect(await listenerOn(443)).toBeUndefined();
  });

  it('--certificate takes a certificate.crt (uploaded first, private.pem next to it), an IAM name or an ARN', async () => {
    const dir = await stackWithAlb();
    // Files written elsewhere, never uploaded: https uploads them itself.
    const other = await tempDir();
    expect((await moto.cli(['cert', '--out', other, '--stack', 'files'], dir)).code).toBe(0);
    const res = await moto.cli(['https', '--certificate', path.join(other, 'certificate.crt'), '--cert-name', 'from-file', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const certs = await q.serverCertificates();
    expect(certs.map((c) => `${c.Path}${c.ServerCertificateName}`)).toEqual(['/albctl/albctl/from-file']);
    expect((await listenerOn(443))!.Certificates![0]!.CertificateArn).toBe(certs[0]!.Arn);

    // By name and by ARN: the listener switches certificates in place.
    const dir2 = await tempDir();
    expect((await moto.cli(['cert', '--upload', '--name', 'second', '--stack', 'other'], dir2)).code).toBe(0);
    const second = (await q.serverCertificates()).find((c) => c.ServerCertificateName === 'second')!;
    const byName = await moto.cli(['https', '--certificate', 'second', '--json'], dir);
    expect(byName.code, byName.stderr).toBe(0);
    expect(JSON.parse(byName.stdout).actions.find((a: { step: string }) => a.step === 'httpsListener').changes).toEqual([
      `certificate: ${certs[0]!.Arn} → ${second.Arn}`,
    ]);
    expect((await listenerOn(443))!.Certificates![0]!.CertificateArn).toBe(second.Arn);
    const byArn = await moto.cli(['https', '--certificate', certs[0]!.Arn!], dir);
    expect(byArn.code, byArn.stderr).toBe(0);
    expect((await listenerOn(443))!.Certificates![0]!.CertificateArn).toBe(certs[0]!.Arn);
  });

  it('retries CertificateNotFound on CreateListener (IAM eventual consistency) until it goes through', async () => {
    const proxy = await moto.proxy();
    const env = awsEnv(proxy.url);
    const dir = await stackWithAlb(env);
    expect((await moto.cli(['cert', '--upload'], dir, env)).code).toBe(0);
    // moto never says CertificateNotFound; ELB does for a while after the IAM upload.
    proxy.rules.push({ action: 'CreateListener', times: 3, error: { status: 400, code: 'CertificateNotFound', message: 'Certificate not found' } });
    const before = proxy.calls.length; // `alb` made the HTTP listener
    const res = await moto.cli(['https'], dir, env);
    expect(res.code, res.stderr).toBe(0);
    expect(proxy.calls.slice(before).filter((c) => c.action === 'CreateListener').map((c) => c.fault ?? 'ok')).toEqual([
      'CertificateNotFound',
      'CertificateNotFound',
      'CertificateNotFound',
      'ok',
    ]);
    expect((await q.listeners()).filter((l) => l.Port === 443)).toHaveLength(1);
  });

  it('--port moves the listener and the ALB group follows it', async () => {
    const dir = await stackWithAlb();
    expect((await moto.cli(['cert', '--upload'], dir)).code).toBe(0);
    expect((await moto.cli(['https'], dir)).code).toBe(0);
    const moved = await moto.cli(['https', '--port', '8443'], dir);
    expect(moved.code, moved.stderr).toBe(0);
    expect((await q.listeners()).map((l) => `${l.Protocol}:${l.Port}`).sort()).toEqual(['HTTP:80', 'HTTPS:8443']);
    const albSg = (await q.securityGroup('albctl-alb-sg'))!;
    expect(await q.ingress(albSg.GroupId!)).toEqual(['tcp:80 from 0.0.0.0/0', 'tcp:8443 from 0.0.0.0/0']);
  });
});
