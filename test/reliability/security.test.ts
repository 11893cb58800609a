// Security properties that must never be lost: the private key stays in private.pem (0600) and
// nowhere else; the instances admit the target port only from the load balancer's group; IMDSv2
// only; TLS 1.3 by default; the HTTP→HTTPS redirect when asked; and destroy (with or without
// --discover) never deletes what is not the stack's, whatever its name.
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateLaunchTemplateCommand, CreateSecurityGroupCommand, CreateVpcCommand, DescribeInstancesCommand, DescribeLaunchTemplateVersionsCommand, DescribeLaunchTemplatesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeSSLPoliciesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { census, fullStack, nothing } from '../support/census.js';
import { runCli, tempDir, useMoto, writeStateFile } from '../support/harness.js';

const moto = useMoto();

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** Pieces of the key's base64 body, each long enough never to appear by chance. */
function keyPieces(pem: string): string[] {
  const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const pieces: string[] = [];
  for (let i = 0; i + 24 <= body.length; i += 24) pieces.push(body.slice(i, i + 24));
  return pieces;
}

function leaks(text: string, pieces: string[]): string[] {
  const found = pieces.filter((p) => text.includes(p));
  if (/PRIVATE KEY/.test(text)) found.push('a PRIVATE KEY header');
  return found;
}

describe('the private key', () => {
  it('is private.pem, mode 0600, and appears nowhere else: not in the state, logs, --verbose or --json of init, cert, https, status', async () => {
    const dir = await tempDir();
    const outputs: Record<string, string> = {};
    const run = async (args: string[]) => {
      const res = await runCli([...args, '--json', '--verbose'], { cwd: dir, env: moto.env });
      expect(res.code, res.stderr).toBe(0);
      JSON.parse(res.stdout); // one JSON document
      outputs[args.join(' ')] = res.stdout + res.stderr;
    };
    await run(['init', '--yes']);
    const keyFile = path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const key = await readFile(keyFile, 'utf8');
    expect(key).toMatch(/-----BEGIN RSA PRIVATE KEY-----/);
    await run(['cert']);
    await run(['cert', '--upload']);
    await run(['https']);
    await run(['status']);
    // A new key too: `cert --rotate` writes it (uploaded, the listener switched) and --json/--verbose
    // still say nothing of it. (`cert --force` is refused once the files are uploaded.)
    await run(['cert', '--rotate']);
    const newKey = await readFile(keyFile, 'utf8');
    expect(newKey).not.toBe(key);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    // The key's PEM in 24-character pieces, minus those the public files share with it (an RSA
    // private key holds its modulus): what is left is the private exponent and primes.
    const certDir = path.dirname(keyFile);
    const publicText = (await Promise.all(['public.pem', 'certificate.crt', 'certificate.csr'].map((f) => readFile(path.join(certDir, f), 'utf8')))).join('\n').replace(/\s+/g, '');
    const pieces = [...keyPieces(key), ...keyPieces(newKey)].filter((p) => !publicText.includes(p));
    expect(pieces.length).toBeGreaterThan(80);
    for (const [cmd, text] of Object.entries(outputs)) expect(leaks(text, pieces), cmd).toEqual([]);
    for (const f of await filesUnder(dir)) {
      if (f === keyFile) continue;
      expect(leaks(await readFile(f, 'utf8'), pieces), f).toEqual([]);
    }
    // Only the key file is private; the certificate directory is the user's alone.
    expect((await stat(path.dirname(keyFile))).mode & 0o077).toBe(0);
    expect((await stat(path.join(dir, '.albctl', 'albctl.json'))).mode & 0o077).toBe(0);
  });
});

describe('the stack as built', () => {
  it('instances admit the target port only from the load balancer group; IMDSv2 only; TLS 1.3; nothing else open', async () => {
    const dir = await tempDir();
    const res = await runCli(['init', '--yes'], { cwd: dir, env: moto.env });
    expect(res.code, res.stderr).toBe(0);
    const ec2 = moto.client(EC2Client);
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:albctl:stack', Values: ['albctl'] }] }))).SecurityGroups ?? [];
    const web = groups.find((g) => g.GroupName === 'albctl-web-sg')!;
    const albGroup = groups.find((g) => g.GroupName === 'albctl-alb-sg')!;
    expect(web.IpPermissions).toHaveLength(1);
    const rule = web.IpPermissions![0]!;
    expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080 });
    expect(rule.UserIdGroupPairs?.map((p) => p.GroupId)).toEqual([albGroup.GroupId]);
    expect(rule.IpRanges ?? []).toEqual([]);
    expect(rule.Ipv6Ranges ?? []).toEqual([]);
    expect(rule.PrefixListIds ?? []).toEqual([]);
    // The load balancer's group: the listener ports, from anywhere, and nothing else.
    expect(albGroup.IpPermissions!.map((p) => `${p.IpProtocol}:${p.FromPort}-${p.ToPort} ${p.IpRanges?.map((r) => r.CidrIp).join()}`).sort()).toEqual([
      'tcp:443-443 0.0.0.0/0',
      'tcp:80-80 0.0.0.0/0',
    ]);
    // Every instance of the stack is in the web group alone.
    const instances = ((await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:albctl:stack', Values: ['albctl'] }] }))).Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(instances.length).toBeGreaterThan(0);
    // Launched with a network interface (no public IPv4): the groups are the primary interface's.
    // AWS also reports them as the instance's SecurityGroups; moto 5.2.5 leaves those empty for
    // groups given on the interface (it fills them only from SecurityGroupIds), so read the interface.
    for (const i of instances) {
      const primary = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0);
      expect(primary?.Groups?.map((g) => g.GroupId)).toEqual([web.GroupId]);
      expect(i.PublicIpAddress).toBeUndefined();
    }

    const lt = (await ec2.send(new DescribeLaunchTemplatesCommand({ LaunchTemplateNames: ['albctl-lt'] }))).LaunchTemplates![0]!;
    const data = (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.LaunchTemplateId, Versions: ['$Default'] }))).LaunchTemplateVersions![0]!.LaunchTemplateData!;
    expect(data.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled' });
    expect(data.NetworkInterfaces?.[0]?.Groups).toEqual([web.GroupId]);
    expect(data.BlockDeviceMappings?.[0]?.Ebs?.Encrypted).toBe(true);

    const elb = moto.client(ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['albctl-alb'] }))).LoadBalancers![0]!;
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? [];
    const httpsListener = listeners.find((l) => l.Protocol === 'HTTPS')!;
    expect(httpsListener.SslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09');
    const policy = (await elb.send(new DescribeSSLPoliciesCommand({ Names: [httpsListener.SslPolicy!] }))).SslPolicies![0]!;
    expect(policy.SslProtocols).toContain('TLSv1.3');
    expect(policy.SslProtocols).not.toContain('TLSv1');
    expect(policy.SslProtocols).not.toContain('TLSv1.1');
    // With HTTPS on, HTTP redirects by default (FSBP ELB.1); --no-redirect-http keeps a forward.
    expect(listeners.find((l) => l.Protocol === 'HTTP')!.DefaultActions![0]!.Type).toBe('redirect');
  });

  it('--redirect-http: HTTP answers 301 to HTTPS, keeping host, path and query', async () => {
    const dir = await tempDir();
    const res = await runCli(['init', '--yes', '--redirect-http'], { cwd: dir, env: moto.env });
    expect(res.code, res.stderr).toBe(0);
    const elb = moto.client(ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['albctl-alb'] }))).LoadBalancers![0]!;
    const http = ((await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? []).find((l) => l.Port === 80)!;
    expect(http.DefaultActions).toHaveLength(1);
    expect(http.DefaultActions![0]).toMatchObject({
      Type: 'redirect',
      RedirectConfig: { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' },
    });
  });
});

interface Foreign {
  targetGroups: string[];
  loadBalancers: string[];
  securityGroups: string[];
  launchTemplates: string[];
}

/** Resources that are not the stack's: similar names without the tag, and the same kind tagged for another stack. */
async function makeForeign(): Promise<Foreign> {
  const net = await moto.network();
  const ec2 = moto.client(EC2Client);
  const elb = moto.client(ElasticLoadBalancingV2Client);
  const otherStack = [{ Key: 'albctl:stack', Value: 'albctl-old' }, { Key: 'managed-by', Value: 'albctl' }];
  for (const [Name, Tags] of [['albctl-tg-2', undefined], ['albctl-old-tg', otherStack]] as const) {
    await elb.send(new CreateTargetGroupCommand({ Name, Protocol: 'HTTP', Port: 8080, VpcId: net.vpcId, TargetType: 'instance', Tags: Tags ? [...Tags] : undefined }));
  }
  const subnets = net.subnets.slice(0, 2).map((s) => s.id);
  for (const [Name, Tags] of [['albctl-alb-2', undefined], ['albctl-old-alb', otherStack]] as const) {
    await elb.send(new CreateLoadBalancerCommand({ Name, Subnets: subnets, Type: 'application', Tags: Tags ? [...Tags] : undefined }));
  }
  // The stack's very group names, untagged, in another VPC; and one tagged for another stack.
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' }))).Vpc!.VpcId!;
  const groups: string[] = [];
  for (const name of ['albctl-web-sg', 'albctl-alb-sg']) {
    groups.push((await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: 'not albctl', VpcId: vpc }))).GroupId!);
  }
  groups.push(
    (await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: 'albctl-old-web-sg',
        Description: 'another stack',
        VpcId: net.vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: [...otherStack] }],
      }),
    )).GroupId!,
  );
  const data = { ImageId: 'ami-12c6146b', InstanceType: 't3.micro' as const };
  for (const [name, tags] of [['albctl-lt-2', undefined], ['albctl-old-lt', otherStack]] as const) {
    await ec2.send(
      new CreateLaunchTemplateCommand({
        LaunchTemplateName: name,
        LaunchTemplateData: data,
        TagSpecifications: tags ? [{ ResourceType: 'launch-template', Tags: [...tags] }] : undefined,
      }),
    );
  }
  return {
    targetGroups: ['albctl-tg-2', 'albctl-old-tg'],
    loadBalancers: ['albctl-alb-2', 'albctl-old-alb'],
    securityGroups: groups,
    launchTemplates: ['albctl-lt-2', 'albctl-old-lt'],
  };
}

async function foreignLeft(f: Foreign): Promise<Foreign> {
  const ec2 = moto.client(EC2Client);
  const elb = moto.client(ElasticLoadBalancingV2Client);
  const tgs = ((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((t) => t.TargetGroupName!);
  const lbs = ((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []).map((l) => l.LoadBalancerName!);
  const sgs = ((await ec2.send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).map((g) => g.GroupId!);
  const lts = ((await ec2.send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? []).map((t) => t.LaunchTemplateName!);
  return {
    targetGroups: f.targetGroups.filter((n) => tgs.includes(n)),
    loadBalancers: f.loadBalancers.filter((n) => lbs.includes(n)),
    securityGroups: f.securityGroups.filter((id) => sgs.includes(id)),
    launchTemplates: f.launchTemplates.filter((n) => lts.includes(n)),
  };
}

describe('destroy deletes only what the stack owns', () => {
  it('destroy, then destroy --discover without a state file: every foreign resource survives, the stack is gone', async () => {
    const foreign = await makeForeign();
    const dir = await tempDir();
    expect((await runCli(['init', '--yes'], { cwd: dir, env: moto.env })).code).toBe(0);
    expect(await census(moto.client, 'albctl')).toEqual(fullStack);
    const destroyed = await runCli(['destroy', '--yes'], { cwd: dir, env: moto.env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await census(moto.client, 'albctl')).toEqual(nothing);
    expect(await foreignLeft(foreign)).toEqual(foreign);

    // The state file is lost: --discover finds by tag, and the foreign ones still survive.
    expect((await runCli(['init', '--yes'], { cwd: dir, env: moto.env })).code).toBe(0);
    await rm(path.join(dir, '.albctl', 'albctl.json'));
    const discovered = await runCli(['destroy', '--yes', '--discover'], { cwd: dir, env: moto.env });
    expect(discovered.code, discovered.stderr).toBe(0);
    expect(await census(moto.client, 'albctl')).toEqual(nothing);
    expect(await foreignLeft(foreign)).toEqual(foreign);
    // And --discover for the other stack's name is not ours to run here: albctl-old's resources are left for it.
    expect(await census(moto.client, 'albctl-old')).toMatchObject({ targetGroups: 1, loadBalancers: 1, securityGroups: 1, launchTemplates: 1 });
  });

  it("a same-named resource without the stack's tag, where the state expected ours: init refuses (exit 3), destroy keeps it", async () => {
    const dir = await tempDir();
    const net = await moto.network();
    // A run died before CreateTargetGroup reached AWS; meanwhile someone made "albctl-tg" by hand.
    await runCli(['target-group', '--dry-run'], { cwd: dir, env: moto.env });
    await moto.client(ElasticLoadBalancingV2Client).send(new CreateTargetGroupCommand({ Name: 'albctl-tg', Protocol: 'HTTP', Port: 8080, VpcId: net.vpcId }));
    const now = new Date().toISOString();
    await writeStateFile(path.join(dir, 'albctl.json'), moto.url, {
      targetGroup: { kind: 'AWS::ElasticLoadBalancingV2::TargetGroup', name: 'albctl-tg', status: 'creating', createdAt: now, updatedAt: now, outputs: {} },
    });
    const init = await runCli(['target-group', '--state', 'albctl.json'], { cwd: dir, env: moto.env });
    expect(init.code, init.stderr).toBe(3);
    expect(init.stderr).toMatch(/albctl-tg exists but is not this stack's \(no albctl:stack=albctl tag\)/);
    const destroy = await runCli(['destroy', '--yes', '--state', 'albctl.json'], { cwd: dir, env: moto.env });
    expect(destroy.code, destroy.stderr).toBe(0);
    expect(destroy.stderr).toMatch(/kept target group .*albctl-tg is not tagged albctl:stack=albctl/);
    const left = ((await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((t) => t.TargetGroupName);
    expect(left).toEqual(['albctl-tg']);
  });
});
