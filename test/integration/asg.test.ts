// `albctl asg` through the built CLI against moto: the group and its target tracking policy,
// converging sizes and the policy, the request-count ResourceLabel, bad input, and a destroy that
// waits until the group is really gone.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand, type AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { autoScalingGroup } from '../../src/steps/auto-scaling-group.js';
import type { ResourceRecord } from '../../src/state/schema.js';
import type { SdkClient } from '../../src/aws/clients.js';
import { awsEnv, computePrerequisites, makeContext, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();
function mutatingCalls(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('aws ') && !/\.(Describe|Get|List)\w+ /.test(l));
}

const stateFile = (dir: string) => path.join(dir, '.albctl', 'albctl.json');


/** A load balancer with an HTTP listener forwarding to the target group, made straight at moto and recorded as `albctl alb` would. */
async function loadBalancer(dir: string, sg: string, tgArn: string): Promise<{ arn: string; name: string }> {
  const { subnets } = await moto.network();
  const byAz = [...new Map(subnets.map((s) => [s.az, s.id])).values()].slice(0, 2);
  const elb = moto.client(ElasticLoadBalancingV2Client);
  const lb = (
    await elb.send(
      new CreateLoadBalancerCommand({
        Name: 'albctl-alb',
        Subnets: byAz,
        SecurityGroups: [sg],
        Scheme: 'internet-facing',
        Type: 'application',
        Tags: [{ Key: 'albctl:stack', Value: 'albctl' }],
      }),
    )
  ).LoadBalancers![0]!;
  await elb.send(
    new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }),
  );
  const state = JSON.parse(await readFile(stateFile(dir), 'utf8'));
  const at = new Date().toISOString();
  const outputs = { arn: lb.LoadBalancerArn!, name: lb.LoadBalancerName!, dnsName: lb.DNSName! };
  state.resources.loadBalancer = { kind: 'AWS::ElasticLoadBalancingV2::LoadBalancer', id: outputs.arn, name: outputs.name, status: 'created', createdAt: at, updatedAt: at, outputs } satisfies ResourceRecord;
  await writeFile(stateFile(dir), JSON.stringify(state));
  return outputs;
}

async function groups(): Promise<AutoScalingGroup[]> {
  return (await moto.client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
}

async function policies() {
  return (await moto.client(AutoScalingClient).send(new DescribePoliciesCommand({}))).ScalingPolicies ?? [];
}

describe('albctl asg', () => {
  it('creates the group and a CPU policy, re-runs as a no-op, converges sizes and the target, destroys everything', async () => {
    const dir = await tempDir();
    const { tgArn, ltId } = await computePrerequisites(moto, dir);
    const created = await moto.cli(['asg', '--tags', 'team=web', '--json'], dir);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).actions.map((a: { step: string; action: string }) => `${a.step}:${a.action}`)).toEqual([
      'autoScalingGroup:create',
      'scalingPolicy:create',
    ]);
    const [g] = await groups();
    const { subnets } = await moto.network();
    expect(g).toMatchObject({
      AutoScalingGroupName: 'albctl-asg',
      LaunchTemplate: { LaunchTemplateId: ltId, Version: '$Default' },
      MinSize: 0,
      MaxSize: 4,
      DesiredCapacity: 0,
      TargetGroupARNs: [tgArn],
      HealthCheckType: 'ELB',
      HealthCheckGracePeriod: 120,
    });
    const groupSubnets = g!.VPCZoneIdentifier!.split(',');
    expect(new Set(groupSubnets.map((id) => subnets.find((s) => s.id === id)!.az)).size).toBeGreaterThanOrEqual(2);
    for (const key of ['albctl:stack', 'managed-by', 'team']) {
      expect(g!.Tags!.find((t) => t.Key === key), key).toMatchObject({ PropagateAtLaunch: true });
    }
    const [p] = await policies();
    expect(p).toMatchObject({
      AutoScalingGroupName: 'albctl-asg',
      PolicyName: 'albctl-target-tracking',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
    });

    const again = await moto.cli(['asg', '-v'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(mutatingCalls(again.stderr)).toEqual([]);

    const sized = await moto.cli(['asg', '--min', '1', '--max', '3', '--desired', '2', '--policy', 'cpu:40', '--grace-period', '5m', '--json'], dir);
    expect(sized.code, sized.stderr).toBe(0);
    const actions = JSON.parse(sized.stdout).actions;
    expect(actions[0].changes).toEqual(['min size: 0 → 1', 'max size: 4 → 3', 'desired capacity: 0 → 2', 'health check grace period: 120s → 300s']);
    expect(actions[1].changes).toEqual(['target value: 50 → 40']);
    const [g2] = await groups();
    expect(g2).toMatchObject({ MinSize: 1, MaxSize: 3, DesiredCapacity: 2, HealthCheckGracePeriod: 300 });
    expect(g2!.Instances).toHaveLength(2);
    // The group's instances carry the propagated tags and are registered in the target group.
    const ids = g2!.Instances!.map((i) => i.InstanceId!);
    const described = await moto.client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: ids }));
    for (const i of described.Reservations!.flatMap((r) => r.Instances!)) {
      expect(i.Tags).toEqual(expect.arrayContaining([{ Key: 'albctl:stack', Value: 'albctl' }, { Key: 'team', Value: 'web' }]));
    }
    const health = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
    expect(health.TargetHealthDescriptions!.map((d) => d.Target!.Id).sort()).toEqual([...ids].sort());
    expect((await policies())[0]!.TargetTrackingConfiguration!.TargetValue).toBe(40);

    // --desired is not saved: a bare re-run leaves the capacity to the scaling policy.
    const bare = await moto.cli(['asg', '-v'], dir);
    expect(bare.stderr).toContain('nothing to do');
    expect(mutatingCalls(bare.stderr)).toEqual([]);

    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout).resources as { resource: string; state: string; detail: string }[];
    const head = status.find((r) => r.resource === 'autoScalingGroup')!;
    expect(head.detail).toMatch(/^min\/desired\/max 1\/2\/3, 2 instance\(s\), albctl-lt \$Default, ELB health check \(grace 300s\)/);
    expect(status.filter((r) => r.resource === 'asgInstance').map((r) => r.state)).toEqual(['InService', 'InService']);
    expect(status.find((r) => r.resource === 'scalingPolicy')!.detail).toBe('target tracking ASGAverageCPUUtilization = 40 on albctl-asg');

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await groups()).toEqual([]);
    expect(await policies()).toEqual([]);
    const left = await moto.client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: ids }));
    expect(left.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State!.Name)).toEqual(['terminated', 'terminated']);
    expect(existsSync(stateFile(dir))).toBe(false);
  });

  it('request-count: the ResourceLabel is app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>; the target converges', async () => {
    const dir = await tempDir();
    const { sg, tgArn } = await computePrerequisites(moto, dir);
    const refused = await moto.cli(['asg', '--policy', 'request-count:100'], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^albctl: this needs the load balancer, which .* does not have: run `albctl alb` first$/m);
    expect(await groups()).toEqual([]);

    const lb = await loadBalancer(dir, sg, tgArn);
    const res = await moto.cli(['asg', '--policy', 'request-count:100', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const lbTail = lb.arn.split(':loadbalancer/')[1]!; // app/albctl-alb/<id>
    const tgTail = tgArn.split(':').pop()!; // targetgroup/albctl-tg/<id>
    const label = `${lbTail}/${tgTail}`;
    expect(label).toMatch(/^app\/albctl-alb\/[0-9a-f]+\/targetgroup\/albctl-tg\/[0-9a-f]+$/);
    expect((await policies())[0]!.TargetTrackingConfiguration).toMatchObject({
      PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: label },
      TargetValue: 100,
    });
    expect(JSON.parse(res.stdout).scalingPolicy).toMatchObject({ metric: 'ALBRequestCountPerTarget', targetValue: 100, resourceLabel: label });
    // moto answers PutScalingPolicy without a PolicyARN; albctl read it back with DescribePolicies.
    expect(JSON.parse(res.stdout).scalingPolicy.arn).toMatch(/^arn:aws:autoscaling:us-east-1:\d{12}:scalingPolicy:.*policyName\/albctl-target-tracking$/);

    const changed = await moto.cli(['asg', '--policy', 'request-count:250', '--json'], dir);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout).actions[1].changes).toEqual(['target value: 100 → 250']);
    expect((await policies())[0]!.TargetTrackingConfiguration!.TargetValue).toBe(250);

    const cpu = await moto.cli(['asg', '--policy', 'cpu:60', '--json'], dir);
    expect(JSON.parse(cpu.stdout).actions[1].changes).toEqual([
      'metric: ALBRequestCountPerTarget → ASGAverageCPUUtilization',
      'target value: 250 → 60',
      `resource label: ${label} → (none)`,
    ]);
  });

  it('refuses bad sizes and flags with exit 2 naming the flag, before any call that changes anything', async () => {
    const dir = await tempDir();
    await computePrerequisites(moto, dir);
    const { subnets } = await moto.network();
    const oneAz = subnets.filter((s) => s.az === subnets[0]!.az).map((s) => s.id);
    for (const [args, pattern] of [
      [['--min', '5', '--max', '4'], /^albctl: --min must not be greater than --max \(got --min 5, --max 4\)$/],
      [['--desired', '6'], /^albctl: --desired must be between --min 0 and --max 4 \(got 6\)$/],
      [['--min', '2', '--desired', '1'], /^albctl: --desired must be between --min 2 and --max 4 \(got 1\)$/],
      [['--max', '-1'], /^albctl: --max must be an integer from 0 to 1000/],
      [['--launch-template-version', 'newest'], /^albctl: --launch-template-version must be \$Default, \$Latest or a version number/],
      [['--launch-template-version', '7'], /^albctl: --launch-template-version 7: albctl-lt has versions 1 to 1$/],
      [['--policy', 'cpu:150'], /^albctl: --policy must be request-count:<requests per target, 1-1000000> or cpu:<percent, 1-100>/],
      [['--policy', 'memory:50'], /^albctl: --policy must be request-count/],
      [['--notify-topic', 'arn:aws:sqs:us-east-1:123456789012:q'], /^albctl: --notify-topic must be an SNS topic ARN/],
      [['--subnets', oneAz.join(',')], /^albctl: --subnets must be in two or more availability zones/],
      [['--subnets', 'subnet-0123456789abcdef0'], /^albctl: --subnets: subnet-0123456789abcdef0 is not a subnet of vpc-/],
      [['--grace-period', '3h'], /^albctl: --grace-period must be a duration from 0s to 2h/],
    ] as const) {
      const res = await moto.cli(['asg', ...args, '-v'], dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      const errorLines = res.stderr.split('\n').filter((l) => l.startsWith('albctl:'));
      expect(errorLines, args.join(' ')).toHaveLength(1);
      expect(errorLines[0], args.join(' ')).toMatch(pattern);
      expect(mutatingCalls(res.stderr), args.join(' ')).toEqual([]);
    }
    expect(await groups()).toEqual([]);
    const state = JSON.parse(await readFile(stateFile(dir), 'utf8'));
    expect(Object.keys(state.resources).sort()).toEqual(['launchTemplate', 'targetGroup']);

    const fresh = await tempDir();
    const alone = await moto.cli(['asg', '-v'], fresh);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/^albctl: this needs the launch template, which .* does not have: run `albctl launch-template` first$/m);
    expect(alone.stderr).not.toMatch(/^aws /m);
  });

  it('destroy retries ScalingActivityInProgress, and waits while AWS still shows the group deleting', async () => {
    const dir = await tempDir();
    await computePrerequisites(moto, dir);
    expect((await moto.cli(['asg', '--desired', '1', '--max', '2'], dir)).code).toBe(0);
    const proxy = await moto.proxy();
    // moto never says "not yet"; AWS does while a launch or a lifecycle hook is running.
    proxy.rules.push({ action: 'DeleteAutoScalingGroup', times: 2, error: { status: 400, code: 'ScalingActivityInProgress', message: 'in progress' } });
    const state = JSON.parse(await readFile(stateFile(dir), 'utf8'));
    const { ctx } = await makeContext({ endpoint: proxy.url, dir: path.join(dir, 'direct'), inputs: state.inputs });
    const rec = state.resources.autoScalingGroup as ResourceRecord;
    const found = await autoScalingGroup.find(ctx, rec);
    expect(found?.outputs.desiredCapacity).toBe(1);

    // AWS answers DeleteAutoScalingGroup at once and shows the group "Delete in progress" for minutes:
    // make the first three describes after the delete say so, as AWS would.
    let deleted = false;
    let shown = 0;
    // Typed as albctl's own view of a client: the middleware only looks at names, input and output.
    const sdk: SdkClient = ctx.aws.client(AutoScalingClient);
    sdk.middlewareStack.add(
      (next: (a: unknown) => Promise<{ output: { AutoScalingGroups?: AutoScalingGroup[] } }>, context: { commandName?: string }) => async (args: unknown) => {
        const out = await next(args);
        if (context.commandName === 'DeleteAutoScalingGroupCommand') deleted = true;
        if (deleted && context.commandName === 'DescribeAutoScalingGroupsCommand' && shown < 3) {
          shown++;
          out.output.AutoScalingGroups = [{ ...found!.outputs, AutoScalingGroupName: 'albctl-asg', Status: 'Delete in progress' } as unknown as AutoScalingGroup];
        }
        return out;
      },
      { step: 'initialize', name: 'pretendDeleting' },
    );
    await autoScalingGroup.destroy(ctx, found!);
    expect(proxy.calls.filter((c) => c.action === 'DeleteAutoScalingGroup').map((c) => c.fault ?? 'ok')).toEqual([
      'ScalingActivityInProgress',
      'ScalingActivityInProgress',
      'ok',
    ]);
    expect(shown).toBe(3);
    expect(proxy.calls.filter((c) => c.action === 'DescribeAutoScalingGroups').length).toBeGreaterThanOrEqual(4);
    expect(await groups()).toEqual([]);
    ctx.aws.destroy();
  });

  it('a run SIGKILLed right after CreateAutoScalingGroup adopts the group instead of making another', async () => {
    const dir = await tempDir();
    const proxy = await moto.proxy();
    // The whole stack through the proxy: the state remembers the endpoint it was made against.
    await computePrerequisites(moto, dir, awsEnv(proxy.url));
    proxy.rules.push({ action: 'CreateAutoScalingGroup', hang: 'after' });
    const { startCli, collect } = await import('../support/harness.js');
    const child = startCli(['asg'], { cwd: dir, env: awsEnv(proxy.url) });
    const done = collect(child);
    await proxy.waitFor('CreateAutoScalingGroup');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const state = JSON.parse(await readFile(stateFile(dir), 'utf8'));
    expect(state.resources.autoScalingGroup).toMatchObject({ status: 'creating', name: 'albctl-asg' });

    const resumed = await runCli(['asg', '--json', '-v'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(resumed.code, resumed.stderr).toBe(0);
    // moto would silently replace a group of the same name: albctl must not call Create again.
    expect(resumed.stderr).not.toMatch(/CreateAutoScalingGroup/);
    expect(JSON.parse(resumed.stdout).actions.map((a: { step: string; action: string }) => `${a.step}:${a.action}`)).toEqual([
      'autoScalingGroup:adopt',
      'scalingPolicy:create',
    ]);
    expect((await groups()).map((g) => g.AutoScalingGroupName)).toEqual(['albctl-asg']);
  });
});
