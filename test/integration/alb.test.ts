// `albctl alb` against moto: the two security groups (rules exactly as the seed recommends),
// the load balancer and its HTTP listener; re-runs, converging flags, bad input, destroy.
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { applySteps } from '../../src/engine/apply.js';
import { registry, stepsById } from '../../src/steps/graph.js';
import { edgeQueries, errorLines, mutatingCalls } from '../support/edge.js';
import { awsEnv, makeContext, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();
const q = edgeQueries(moto);
async function withTargetGroup(): Promise<string> {
  const dir = await tempDir();
  const tg = await moto.cli(['target-group'], dir);
  expect(tg.code, tg.stderr).toBe(0);
  return dir;
}

describe('albctl alb', () => {
  it('run before target-group (the issue\'s order), makes the target group its listener forwards to', async () => {
    const dir = await tempDir();
    const res = await moto.cli(['alb', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.actions.map((a: { step: string; action: string }) => `${a.step}:${a.action}`)).toEqual([
      'targetGroup:create',
      'albSecurityGroup:create',
      'webSecurityGroup:create',
      'loadBalancer:create',
      'loadBalancerAttributes:update', // the attributes exist with the load balancer: converged, as stickiness is
      'httpListener:create',
    ]);
    expect(doc.httpListener.defaultAction).toMatchObject({ type: 'forward' });
    // `target-group` afterwards adopts it and applies its flags.
    const tg = await moto.cli(['target-group', '--health-path', '/healthz', '--json'], dir);
    expect(tg.code, tg.stderr).toBe(0);
    expect(JSON.parse(tg.stdout).actions).toEqual([expect.objectContaining({ step: 'targetGroup', action: 'update' })]);
    expect(await q.loadBalancers()).toHaveLength(1);
  });

  it('creates the groups, the load balancer and the HTTP listener; a re-run is a no-op; destroy leaves nothing', async () => {
    const dir = await withTargetGroup();
    const res = await moto.cli(['alb', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.actions.map((a: { step: string; action: string }) => `${a.step}:${a.action}`)).toEqual([
      'albSecurityGroup:create',
      'webSecurityGroup:create',
      'loadBalancer:create',
      'loadBalancerAttributes:update', // the attributes exist with the load balancer: converged, as stickiness is
      'httpListener:create',
    ]);

    const [lb] = await q.loadBalancers();
    const albSg = (await q.securityGroup('albctl-alb-sg'))!;
    const webSg = (await q.securityGroup('albctl-web-sg'))!;
    const { vpcId } = await moto.network();
    expect(lb).toMatchObject({
      LoadBalancerName: 'albctl-alb',
      Scheme: 'internet-facing',
      Type: 'application',
      IpAddressType: 'ipv4',
      VpcId: vpcId,
      State: { Code: 'active' },
      SecurityGroups: [albSg.GroupId],
    });
    const azs = lb!.AvailabilityZones!.map((z) => z.ZoneName);
    expect(new Set(azs).size).toBe(azs.length); // one subnet per AZ
    expect(azs.length).toBeGreaterThanOrEqual(2);
    const tags = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTagsCommand({ ResourceArns: [lb!.LoadBalancerArn!] }));
    expect(tags.TagDescriptions![0]!.Tags).toEqual(
      expect.arrayContaining([{ Key: 'albctl:stack', Value: 'albctl' }, { Key: 'managed-by', Value: 'albctl' }]),
    );
    for (const g of [albSg, webSg]) {
      expect(g.VpcId).toBe(vpcId);
      expect(g.Tags).toEqual(expect.arrayContaining([{ Key: 'albctl:stack', Value: 'albctl' }, { Key: 'Name', Value: g.GroupName }]));
    }

    // The seed's recommended rules: listener ports from anywhere on the ALB's group; the target
    // port only from the ALB's group on the instances' group (group to group, never 0.0.0.0/0).
    expect(await q.ingress(albSg.GroupId!)).toEqual(['tcp:443 from 0.0.0.0/0', 'tcp:80 from 0.0.0.0/0']);
    expect(await q.ingress(webSg.GroupId!)).toEqual([`tcp:8080 from ${albSg.GroupId}`]);

    const [tg] = await q.targetGroups();
    const listeners = await q.listeners(lb!.LoadBalancerArn);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({ Protocol: 'HTTP', Port: 80, DefaultActions: [expect.objectContaining({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn })] });

    // The result document and the state: the DNS name, the ARN, the hosted zone.
    expect(doc.url).toBe(`http://${lb!.DNSName}/`);
    expect(doc.loadBalancer).toMatchObject({ arn: lb!.LoadBalancerArn, name: 'albctl-alb', dnsName: lb!.DNSName, state: 'active' });
    expect(doc.loadBalancer.canonicalHostedZoneId).toBe(lb!.CanonicalHostedZoneId);
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.resources.loadBalancer).toMatchObject({ status: 'created', id: lb!.LoadBalancerArn, outputs: { dnsName: lb!.DNSName } });
    expect(state.resources.webSecurityGroup.outputs.groupId).toBe(webSg.GroupId);

    const again = await moto.cli(['alb'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(await q.loadBalancers()).toHaveLength(1);
    expect(await q.securityGroups()).toHaveLength(2);

    const status = await moto.cli(['status', '--json'], dir);
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout).resources as { resource: string; name: string; state: string; detail: string }[];
    expect(rows.find((r) => r.resource === 'loadBalancer')).toMatchObject({ name: 'albctl-alb', state: 'active', detail: expect.stringContaining(lb!.DNSName!) });
    expect(rows.find((r) => r.resource === 'httpListener')).toMatchObject({ name: 'HTTP:80', detail: 'forward → albctl-tg' });
    expect(rows.find((r) => r.resource === 'webSecurityGroup')!.detail).toContain(`tcp:8080 ← ${albSg.GroupId}`);

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await q.loadBalancers()).toEqual([]);
    expect(await q.securityGroups()).toEqual([]);
    expect(await q.targetGroups()).toEqual([]);
    expect(existsSync(path.join(dir, '.albctl', 'albctl.json'))).toBe(false);
  });

  it('converges changed flags in place and leaves rules it did not make alone', async () => {
    const dir = await withTargetGroup();
    expect((await moto.cli(['alb'], dir)).code).toBe(0);
    const albSg = (await q.securityGroup('albctl-alb-sg'))!;
    // Someone adds a rule by hand: albctl must not revoke it (it only revokes rules it tagged).
    await moto.client(EC2Client).send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: albSg.GroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 8443, ToPort: 8443, IpRanges: [{ CidrIp: '198.51.100.0/24' }] }] }),
    );
    const { vpcId } = await moto.network();
    const extra = await moto.client(EC2Client).send(new CreateSecurityGroupCommand({ GroupName: 'extra', Description: 'extra', VpcId: vpcId }));

    const res = await moto.cli(['alb', '--listener-port', '8080', '--security-groups', extra.GroupId!, '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const actions = JSON.parse(res.stdout).actions as { step: string; action: string; changes: string[] }[];
    expect(actions.find((a) => a.step === 'albSecurityGroup')).toMatchObject({ action: 'update', changes: ['admit tcp:8080 ← 0.0.0.0/0', 'revoke tcp:80 ← 0.0.0.0/0'] });
    expect(actions.find((a) => a.step === 'httpListener')).toMatchObject({ action: 'update', changes: ['port: 80 → 8080'] });
    expect(actions.find((a) => a.step === 'loadBalancer')!.changes[0]).toMatch(/^security groups: /);

    expect(await q.ingress(albSg.GroupId!)).toEqual(['tcp:443 from 0.0.0.0/0', 'tcp:8080 from 0.0.0.0/0', 'tcp:8443 from 198.51.100.0/24']);
    const [lb] = await q.loadBalancers();
    expect([...lb!.SecurityGroups!].sort()).toEqual([albSg.GroupId, extra.GroupId].sort());
    const listeners = await q.listeners();
    expect(listeners.map((l) => `${l.Protocol}:${l.Port}`)).toEqual(['HTTP:8080']); // modified in place, not a second one

    // What AWS cannot change in place is refused, naming the flag, and nothing changes.
    const scheme = await moto.cli(['alb', '--scheme', 'internal'], dir);
    expect(scheme.code).toBe(2);
    expect(errorLines(scheme.stderr)[0]).toMatch(/--scheme internal differs from load balancer albctl-alb's internet-facing, which cannot change in place/);
    expect((await q.loadBalancers())[0]!.Scheme).toBe('internet-facing');
    const renamed = await moto.cli(['alb', '--name', 'other-alb'], dir);
    expect(renamed.code).toBe(2);
    expect(renamed.stderr).toMatch(/the state has it as albctl-alb; a name cannot change in place/);
  });

  it('admits SSH to the instances only with a key pair and only from --ssh-cidr', async () => {
    const dir = await withTargetGroup();
    // Without a key pair, --ssh-cidr adds nothing (and says so).
    const noKey = await moto.cli(['alb', '--ssh-cidr', '203.0.113.0/24'], dir);
    expect(noKey.code, noKey.stderr).toBe(0);
    expect(noKey.stderr).toMatch(/--ssh-cidr is set but there is no key pair \(--key-name\): no SSH rule is added/);
    const albSg = (await q.securityGroup('albctl-alb-sg'))!;
    const webSg = (await q.securityGroup('albctl-web-sg'))!;
    expect(await q.ingress(webSg.GroupId!)).toEqual([`tcp:8080 from ${albSg.GroupId}`]);

    // With a key pair (launch-template --key-name saves it), the step converges: SSH from the CIDR only.
    const inputs = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8')).inputs;
    const run = async (extra: Record<string, unknown>) => {
      const t = await makeContext({ endpoint: moto.url, dir: path.join(dir, '.albctl'), inputs: { ...inputs, ...extra } });
      return applySteps(t.ctx, stepsById(['albSecurityGroup', 'webSecurityGroup']), registry);
    };
    const withKey = await run({ keyName: 'ops', sshCidr: '203.0.113.0/24' });
    expect(withKey.find((i) => i.step === 'webSecurityGroup')).toMatchObject({ action: 'update', changes: ['admit tcp:22 ← 203.0.113.0/24'] });
    expect(await q.ingress(webSg.GroupId!)).toEqual([`tcp:22 from 203.0.113.0/24`, `tcp:8080 from ${albSg.GroupId}`]);
    expect(await q.ingress(albSg.GroupId!)).not.toContain('tcp:22 from 203.0.113.0/24');

    const moved = await run({ keyName: 'ops', sshCidr: '198.51.100.7/32' });
    expect(moved.find((i) => i.step === 'webSecurityGroup')!.changes).toEqual(['admit tcp:22 ← 198.51.100.7/32', 'revoke tcp:22 ← 203.0.113.0/24']);
    const dropped = await run({ keyName: undefined, sshCidr: '198.51.100.7/32' });
    expect(dropped.find((i) => i.step === 'webSecurityGroup')!.changes).toEqual(['revoke tcp:22 ← 198.51.100.7/32']);
    const rules = await q.ingress(webSg.GroupId!);
    expect(rules).toEqual([`tcp:8080 from ${albSg.GroupId}`]);
    expect(rules.some((r) => r.includes('0.0.0.0/0'))).toBe(false);
  });

  it('refuses bad input with exit 2 and one line naming the flag, before any call that changes anything', async () => {
    const dir = await withTargetGroup();
    const ec2 = moto.client(EC2Client);
    const { subnets } = await moto.network();
    const inA = subnets.find((s) => s.az === 'us-east-1a')!;
    const { vpcId } = await moto.network();
    const second = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '172.31.96.0/20', AvailabilityZone: 'us-east-1a' }));
    for (const [args, pattern] of [
      [['--subnets', inA.id], /^albctl: --subnets must be in two or more availability zones \(got subnet-\w+ \(us-east-1a\)\)$/],
      [['--subnets', `${inA.id},${second.Subnet!.SubnetId}`], /^albctl: --subnets: subnet-\w+ and subnet-\w+ are both in us-east-1a;/],
      [['--name', 'internal-web'], /^albctl: --name must be a load balancer name that does not start with "internal-"/],
      [['--name', 'a'.repeat(33)], /^albctl: --name must be a load balancer name of 1-32 letters/],
      [['--name', '-web'], /^albctl: --name must be a load balancer name .*not starting or ending with a hyphen/],
      [['--name', 'web-'], /^albctl: --name must be a load balancer name/],
      [['--scheme', 'public'], /^albctl: --scheme must be one of internet-facing, internal/],
      [['--ip-type', 'dualstack'], /^albctl: --ip-type must be one of ipv4/],
      [['--listener-port', '443'], /^albctl: --listener-port 443 is the HTTPS listener's port/],
      [['--listener-port', '0'], /^albctl: --listener-port must be an integer from 1 to 65535/],
      [['--ssh-cidr', '10.1.2.3/8'], /^albctl: --ssh-cidr must be a network address: 10\.1\.2\.3\/8 has host bits set \(did you mean 10\.0\.0\.0\/8 or 10\.1\.2\.3\/32\?\)$/],
      [['--ssh-cidr', 'anywhere'], /^albctl: --ssh-cidr must be a CIDR like/],
      [['--security-groups', 'sg-nope'], /^albctl: --security-groups must be an id like sg-/],
      [['--security-groups', 'sg-0123456789abcdef0'], /^albctl: --security-groups: sg-0123456789abcdef0: not every group exists/],
    ] as const) {
      const res = await moto.cli(['alb', ...args, '-v'], dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      const lines = errorLines(res.stderr);
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0], args.join(' ')).toMatch(pattern);
      expect(mutatingCalls(res.stderr), args.join(' ')).toEqual([]);
    }
    expect(await q.securityGroups()).toEqual([]);
    expect(await q.loadBalancers()).toEqual([]);
  });

  it('internet-facing needs public subnets (a route to an internet gateway); internal does not', async () => {
    const ec2 = moto.client(EC2Client);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
    const vpcId = vpc.Vpc!.VpcId!;
    for (const [cidr, az] of [['10.20.1.0/24', 'us-east-1a'], ['10.20.2.0/24', 'us-east-1b']] as const) {
      await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }));
    }
    const dir = await tempDir();
    expect((await moto.cli(['target-group', '--vpc', vpcId], dir)).code).toBe(0);
    const res = await moto.cli(['alb', '-v'], dir);
    expect(res.code).toBe(2);
    expect(errorLines(res.stderr)).toEqual([
      expect.stringMatching(/^albctl: --subnets: subnet-\w+ \(us-east-1a\), subnet-\w+ \(us-east-1b\) have no route to an internet gateway; an internet-facing load balancer needs public subnets: pass public --subnets, or --scheme internal$/),
    ]);
    expect(mutatingCalls(res.stderr)).toEqual([]);
    expect(await q.securityGroups()).toEqual([]);

    const internal = await moto.cli(['alb', '--scheme', 'internal'], dir);
    expect(internal.code, internal.stderr).toBe(0);
    expect((await q.loadBalancers())[0]).toMatchObject({ Scheme: 'internal', VpcId: vpcId });
  });

  it('--dry-run plans the five resources and changes nothing', async () => {
    const dir = await withTargetGroup();
    const plan = await moto.cli(['alb', '--dry-run', '--json'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    // The load balancer's attributes are a setting of it: planned as an update from a new one's defaults.
    expect(JSON.parse(plan.stdout).actions.map((a: { action: string }) => a.action)).toEqual(['create', 'create', 'create', 'update', 'create']);
    expect(await q.securityGroups()).toEqual([]);
    expect(await q.loadBalancers()).toEqual([]);
  });

  it('destroy --discover finds the whole edge by tag when the state file is lost, and nothing else', async () => {
    const dir = await withTargetGroup();
    for (const args of [['alb'], ['cert', '--upload'], ['https', '--redirect-http'], ['target-group', '--stack', 'other'], ['alb', '--stack', 'other']]) {
      const res = await moto.cli(args, dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(0);
    }
    await rm(path.join(dir, '.albctl', 'albctl.json'));
    const res = await moto.cli(['destroy', '--discover', '--yes'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect((await q.loadBalancers()).map((l) => l.LoadBalancerName)).toEqual(['other-alb']);
    expect((await q.securityGroups()).map((g) => g.GroupName).sort()).toEqual(['other-alb-sg', 'other-web-sg']);
    expect(await q.serverCertificates()).toEqual([]);
    expect((await q.targetGroups()).map((t) => t.TargetGroupName)).toEqual(['other-tg']);
    expect(existsSync(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem'))).toBe(false);
  });

  it('destroy retries DependencyViolation on DeleteSecurityGroup until it goes through', async () => {
    const proxy = await moto.proxy();
    const env = awsEnv(proxy.url);
    const dir = await tempDir();
    expect((await runCli(['target-group'], { cwd: dir, env })).code).toBe(0);
    expect((await runCli(['alb'], { cwd: dir, env })).code).toBe(0);
    // moto never says DependencyViolation; AWS does while the ALB's network interfaces linger.
    proxy.rules.push({
      service: 'ec2',
      action: 'DeleteSecurityGroup',
      times: 3,
      error: { status: 400, code: 'DependencyViolation', message: 'resource sg-x has a dependent object' },
    });
    const res = await runCli(['destroy', '--yes'], { cwd: dir, env });
    expect(res.code, res.stderr).toBe(0);
    const deletes = proxy.calls.filter((c) => c.action === 'DeleteSecurityGroup').map((c) => c.fault ?? 'ok');
    expect(deletes.filter((d) => d === 'DependencyViolation')).toHaveLength(3);
    expect(deletes.filter((d) => d === 'ok')).toHaveLength(2);
    // The load balancer was waited for, and its network interfaces with it, before the groups went.
    // (moto differs from AWS: it makes no network interfaces for a load balancer, so that wait
    // passes at once; and it never refuses DeleteSecurityGroup for a group still in use.)
    const order = proxy.calls.map((c) => c.action);
    expect(order.indexOf('DescribeNetworkInterfaces')).toBeGreaterThan(order.indexOf('DeleteLoadBalancer'));
    expect(order.lastIndexOf('DeleteSecurityGroup')).toBeGreaterThan(order.indexOf('DescribeNetworkInterfaces'));
    expect(await q.securityGroups()).toEqual([]);
    expect(await q.loadBalancers()).toEqual([]);
  });
});
