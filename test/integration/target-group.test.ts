// The vertical slice through the built CLI, against moto: create → status → destroy → destroy.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RunInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateTargetGroupCommand, DescribeTagsCommand, DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();

async function targetGroups() {
  const out = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}));
  return out.TargetGroups ?? [];
}

describe('albctl target-group', () => {
  it('creates, reports, destroys, and a second destroy is a no-op', async () => {
    const dir = await tempDir();
    const created = await moto.cli(['target-group', '--json'], dir);
    expect(created.stderr).toContain('created target group albctl-tg');
    expect(created.code).toBe(0);
    const doc = JSON.parse(created.stdout);
    expect(doc.actions).toEqual([expect.objectContaining({ step: 'targetGroup', action: 'create', name: 'albctl-tg' })]);

    const [tg] = await targetGroups();
    const { vpcId } = await moto.network();
    expect(tg).toMatchObject({
      TargetGroupName: 'albctl-tg',
      Protocol: 'HTTP',
      ProtocolVersion: 'HTTP1',
      Port: 8080,
      TargetType: 'instance',
      VpcId: vpcId,
      HealthCheckPath: '/status',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
    });
    const elb = moto.client(ElasticLoadBalancingV2Client);
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [tg!.TargetGroupArn!] }));
    expect(tags.TagDescriptions![0]!.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'albctl:stack', Value: 'albctl' },
        { Key: 'managed-by', Value: 'albctl' },
      ]),
    );
    const attrs = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg!.TargetGroupArn }));
    expect(attrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '30' });

    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state).toMatchObject({
      version: 1,
      account: '123456789012',
      region: 'us-east-1',
      resources: { targetGroup: { status: 'created', id: tg!.TargetGroupArn, name: 'albctl-tg' } },
    });

    const again = await moto.cli(['target-group'], dir);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(await targetGroups()).toHaveLength(1);

    const status = await moto.cli(['status', '--json'], dir);
    expect(status.code).toBe(0);
    const rows = JSON.parse(status.stdout).resources;
    expect(rows[0]).toMatchObject({ resource: 'targetGroup', name: 'albctl-tg', state: 'created' });
    const human = await moto.cli(['status'], dir);
    expect(human.stderr).toMatch(/targetGroup\s+albctl-tg\s+created/);

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code).toBe(0);
    expect(destroyed.stderr).toContain('deleted target group albctl-tg');
    expect(await targetGroups()).toHaveLength(0);
    expect(existsSync(path.join(dir, '.albctl', 'albctl.json'))).toBe(false);

    const second = await moto.cli(['destroy', '--yes'], dir);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('nothing to destroy');
  });

  it('takes every flag of SPEC.md, registers targets, and converges changes', async () => {
    const dir = await tempDir();
    const ec2 = moto.client(EC2Client);
    const run = await ec2.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 2, MaxCount: 2, InstanceType: 't3.micro' }));
    const [a, b] = run.Instances!.map((i) => i.InstanceId!);
    const { vpcId } = await moto.network();
    const res = await moto.cli(
      [
        'target-group', '--name', 'web-targets', '--port', '8081', '--protocol', 'HTTP', '--protocol-version', 'HTTP2',
        '--vpc', vpcId, '--health-path', '/healthz', '--health-interval', '15', '--health-timeout', '6',
        '--healthy-threshold', '4', '--unhealthy-threshold', '3', '--matcher', '200-299', '--register', `${a},${b}:9000`,
      ],
      dir,
    );
    expect(res.code, res.stderr).toBe(0);
    const [tg] = await targetGroups();
    expect(tg).toMatchObject({
      TargetGroupName: 'web-targets',
      Port: 8081,
      ProtocolVersion: 'HTTP2',
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 15,
      HealthCheckTimeoutSeconds: 6,
      HealthyThresholdCount: 4,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-299' },
    });
    const elb = moto.client(ElasticLoadBalancingV2Client);
    const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg!.TargetGroupArn }));
    expect(health.TargetHealthDescriptions!.map((d) => `${d.Target!.Id}:${d.Target!.Port}`).sort()).toEqual(
      [`${a}:8081`, `${b}:9000`].sort(),
    );

    // Saved inputs make a bare re-run a no-op; a changed flag converges in place.
    const bare = await moto.cli(['target-group'], dir);
    expect(bare.stderr).toContain('nothing to do');
    const changed = await moto.cli(['target-group', '--health-path', '/status', '--json'], dir);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout).actions[0]).toMatchObject({ action: 'update', changes: ['health check path: /healthz → /status'] });
    expect((await targetGroups())[0]!.HealthCheckPath).toBe('/status');

    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout);
    // moto differs from AWS: every registered target is "healthy" at once (AWS: "initial", then health checks).
    expect(status.resources.filter((r: { resource: string }) => r.resource === 'target').map((r: { state: string }) => r.state)).toEqual([
      'healthy',
      'healthy',
    ]);

    const immutable = await moto.cli(['target-group', '--port', '9999'], dir);
    expect(immutable.code).toBe(2);
    expect(immutable.stderr).toMatch(/^albctl: --port 9999 differs from target group web-targets's 8081, which cannot change in place/m);
    expect((await targetGroups())[0]!.Port).toBe(8081);
  });

  it('--dry-run plans and changes nothing, writing no file', async () => {
    const dir = await tempDir();
    const plan = await moto.cli(['target-group', '--dry-run', '--json'], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ dryRun: true, actions: [{ step: 'targetGroup', action: 'create' }] });
    expect(plan.stderr).toContain('plan (--dry-run: nothing was changed)');
    expect(await targetGroups()).toHaveLength(0);
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);
  });

  it('refuses bad input with exit 2, one line naming the flag, and no call that changes anything', async () => {
    const dir = await tempDir();
    for (const [args, pattern] of [
      [['--port', '0'], /^albctl: --port must be an integer from 1 to 65535 \(got "0"\)\n$/],
      [['--name', '-bad'], /^albctl: --name must be a target group name/],
      [['--health-timeout', '30', '--health-interval', '10'], /^albctl: --health-timeout must be less than the health check interval/],
      [['--protocol-version', 'HTTP3'], /^albctl: --protocol-version must be one of HTTP1, HTTP2, GRPC/],
      [['--vpc', 'vpc-nope'], /^albctl: --vpc must be an id like vpc-/],
      [['--vpc', 'vpc-0123456789abcdef0'], /^albctl: --vpc vpc-0123456789abcdef0 does not exist/],
      [['--stack', '9lives'], /^albctl: --stack must be a stack name/],
      [['--endpoint-url', 'ftp://x'], /^albctl: --endpoint-url must be an http/],
      [['--bogus'], /^albctl: unknown option '--bogus'/],
    ] as const) {
      const res = await moto.cli(['target-group', ...args, '-v'], dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      const errorLines = res.stderr.split('\n').filter((l) => l.startsWith('albctl:'));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0] + '\n').toMatch(pattern);
      expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
      // --verbose logs every AWS call: none of them may change anything.
      const calls = res.stderr.split('\n').filter((l) => l.startsWith('aws '));
      expect(calls.filter((l) => !/\.(Describe|Get|List)\w+ /.test(l)), args.join(' ')).toEqual([]);
    }
    expect(await targetGroups()).toHaveLength(0);
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);
  });

  it('never adopts or deletes a target group of the same name that is not the stack\'s', async () => {
    const dir = await tempDir();
    const { vpcId } = await moto.network();
    const elb = moto.client(ElasticLoadBalancingV2Client);
    await elb.send(new CreateTargetGroupCommand({ Name: 'albctl-tg', Protocol: 'HTTP', Port: 80, VpcId: vpcId }));
    const res = await moto.cli(['target-group'], dir);
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/albctl-tg exists but is not this stack's \(no albctl:stack=albctl tag\)/);
    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code).toBe(0);
    expect(await targetGroups()).toHaveLength(1);
  });

  it('refuses a state file from another account or region, leaving it as it was (exit 3)', async () => {
    const dir = await tempDir();
    expect((await moto.cli(['target-group'], dir)).code).toBe(0);
    const file = path.join(dir, '.albctl', 'albctl.json');
    const before = await readFile(file);
    const other = await moto.cli(['target-group', '--region', 'eu-west-1'], dir);
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/was made in us-east-1, not eu-west-1: pass --region us-east-1/);
    expect(await readFile(file)).toEqual(before);
  });
});
