// Rolling replacement through the built CLI against moto: a new instance type rolls the Auto
// Scaling group (albctl's own roll: moto has no instance refresh) and the stand-alone instances to
// the new launch template version; --refresh replaces instances already on it; --min-healthy sets
// the batch; a new instance that never turns healthy stops the roll with the old ones serving.
import { describe, expect, it } from 'vitest';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { reportUnhealthy } from '../support/aws-proxy.js';
import { census } from '../support/census.js';
import { awsEnv, makeContext, runCli, tempDir, useMoto } from '../support/harness.js';
import { rollInstances } from '../../src/steps/instances-roll.js';
import type { InstanceInfo } from '../../src/steps/instances.js';
import type { LaunchTemplateOut } from '../../src/steps/launch-template.js';
import type { TargetGroupOut } from '../../src/steps/target-group.js';
import { network } from '../../src/steps/network.js';

const moto = useMoto();

const tag = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

interface Fleet {
  /** Instance id → [type, template version], per fleet. */
  group: string[];
  standalone: string[];
  registered: string[];
}

/** What runs: each fleet's pending/running instances as "type vN", and what the target group holds. */
async function fleet(): Promise<Fleet> {
  const out = await moto.client(EC2Client).send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }, { Name: 'tag:albctl:stack', Values: ['albctl'] }] }),
  );
  const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const show = (i: Instance) => `${i.InstanceType} v${tag(i, 'aws:ec2launchtemplate:version')}`;
  const g = (await moto.client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups?.[0];
  const members = new Set((g?.Instances ?? []).map((i) => i.InstanceId));
  const tgArn = JSON.parse(await readFile(path.join(stateDir, '.albctl', 'albctl.json'), 'utf8')).resources.targetGroup.id;
  const health = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return {
    group: all.filter((i) => members.has(i.InstanceId)).map(show).sort(),
    standalone: all.filter((i) => tag(i, 'albctl:role') === 'instance').map((i) => `${show(i)} #${tag(i, 'albctl:index')}`).sort(),
    registered: (health.TargetHealthDescriptions ?? []).map((d) => d.Target!.Id!).sort(),
  };
}

let stateDir = '';

async function ids(): Promise<{ group: string[]; standalone: string[] }> {
  const out = await moto.client(EC2Client).send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }, { Name: 'tag:albctl:stack', Values: ['albctl'] }] }),
  );
  const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  return {
    group: all.filter((i) => tag(i, 'aws:autoscaling:groupName')).map((i) => i.InstanceId!).sort(),
    standalone: all.filter((i) => tag(i, 'albctl:role') === 'instance').map((i) => i.InstanceId!).sort(),
  };
}

describe('rolling replacement', () => {
  it('a new instance type rolls the Auto Scaling group and the stand-alone instances, one at a time; re-runs change nothing', async () => {
    stateDir = await tempDir();
    const built = await moto.cli(['init', '--yes', '--min-size', '2'], stateDir);
    expect(built.code, built.stderr).toBe(0);
    expect(await fleet()).toMatchObject({ group: ['t3.micro v1', 't3.micro v1'], standalone: ['t3.micro v1 #0', 't3.micro v1 #1'] });
    const before = await ids();

    const rolled = await moto.cli(['init', '--yes', '--instance-type', 't3.small', '--json'], stateDir);
    expect(rolled.code, rolled.stderr).toBe(0);
    const after = await fleet();
    expect(after.group).toEqual(['t3.small v2', 't3.small v2']);
    expect(after.standalone).toEqual(['t3.small v2 #0', 't3.small v2 #1']);
    const now = await ids();
    // Every old instance was replaced, and only those: 4 in, 4 out, nothing doubled.
    expect(now.group.filter((id) => before.group.includes(id))).toEqual([]);
    expect(now.standalone.filter((id) => before.standalone.includes(id))).toEqual([]);
    expect(after.registered).toEqual([...now.group, ...now.standalone].sort());
    expect((await census(moto.client, 'albctl')).instances).toBe(4);
    // Per-instance progress, one at a time (2 instances at --min-healthy 90): launch, healthy, drain.
    const group = rolled.stderr.split('\n').filter((l) => l.includes('albctl-asg:'));
    expect(group.filter((l) => /launched i-\w+ from template v2/.test(l))).toHaveLength(2);
    expect(group.filter((l) => /draining and terminating i-\w+$/.test(l))).toHaveLength(2);
    expect(rolled.stderr).toMatch(/instances: index 0: launching a replacement for i-\w+ \(v1\) from v2/);
    expect(rolled.stderr).toMatch(/instances: 1\/1 new instance\(s\) healthy/);
    const actions = JSON.parse(rolled.stdout).actions as { step: string; changes: string[] }[];
    expect(actions.find((a) => a.step === 'autoScalingGroup')!.changes).toEqual([
      "roll 2 instance(s) to template v2 with albctl's own roll (the emulator has no instance refresh), one at a time, at least 2 of 2 in service (--min-healthy 90)",
    ]);
    // Done: the state records no roll; a re-run changes nothing.
    const state = JSON.parse(await readFile(path.join(stateDir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.resources.autoScalingGroup.outputs.roll).toBeUndefined();
    expect(state.resources.instances.outputs.roll).toBeUndefined();
    const again = await moto.cli(['init', '--yes', '-v'], stateDir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/RunInstances|TerminateInstance|AttachInstances/);

    // --refresh replaces instances already on the current version; --min-healthy 50 takes both at once.
    const refreshed = await moto.cli(['instances', '--refresh', '--min-healthy', '50'], stateDir);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stderr).toMatch(/replace \(--refresh\) 2 instance\(s\) to template v2, 2 at a time|launching a replacement/);
    expect(refreshed.stderr.match(/launching a replacement/g)).toHaveLength(2);
    expect((await ids()).standalone.filter((id) => now.standalone.includes(id))).toEqual([]);
    const asgRefreshed = await moto.cli(['asg', '--refresh'], stateDir);
    expect(asgRefreshed.code, asgRefreshed.stderr).toBe(0);
    expect((await ids()).group.filter((id) => now.group.includes(id))).toEqual([]);
    expect((await fleet()).group).toEqual(['t3.small v2', 't3.small v2']);
    expect((await census(moto.client, 'albctl')).instances).toBe(4);

    const status = JSON.parse((await moto.cli(['status', '--json'], stateDir)).stdout).resources as { resource: string; detail: string }[];
    expect(status.filter((r) => r.resource === 'asgInstance').map((r) => r.detail.replace(/us-east-1\w/, 'AZ'))).toEqual([
      'Healthy, AZ, template v2',
      'Healthy, AZ, template v2',
    ]);
  }, 120_000);

  it('stops when a new instance does not turn healthy within the health bound, the old ones still serving; a re-run resumes', async () => {
    const dir = await tempDir();
    const built = await moto.cli(['init', '--yes', '--min-size', '0', '--instances', '2'], dir);
    expect(built.code, built.stderr).toBe(0);
    const lt = await moto.cli(['launch-template', '--instance-type', 't3.small'], dir);
    expect(lt.code, lt.stderr).toBe(0);
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    const old = state.resources.instances.outputs.instanceIds as string[];

    // moto calls every registered target healthy: the proxy says the new ones fail their checks.
    const proxy = await moto.proxy();
    proxy.rules.push(reportUnhealthy((id) => !old.includes(id)));
    const t = await makeContext({ endpoint: proxy.url, dir, inputs: { healthCheckGracePeriod: 0 } });
    t.ctx.outputs.set('network', (await network.find(t.ctx))!.outputs);
    // A one-second health check: the bound (grace 0 + checks 1 s + timeout 1 s + 5 s) is what the test waits for.
    const tg = { ...(state.resources.targetGroup.outputs as TargetGroupOut), healthCheck: { path: '/status', interval: 1, timeout: 1, healthyThreshold: 1, unhealthyThreshold: 2, matcher: '200' } };
    t.ctx.outputs.set('targetGroup', tg);
    const ltOut = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8')).resources.launchTemplate.outputs as LaunchTemplateOut;
    const isOld = (i: InstanceInfo) => old.includes(i.id);
    const started = Date.now();
    await expect(rollInstances(t.ctx, ltOut, tg, isOld)).rejects.toThrow(/new instance\(s\) i-\w+: not healthy after 7s: i-\w+ unhealthy \(Target\.FailedHealthChecks: Health checks failed\)/);
    expect(Date.now() - started).toBeLessThan(20_000);
    t.aws.destroy();
    // Nothing old was touched: both still run, registered; one new instance waits beside them.
    const mid = await ids();
    expect(old.every((id) => mid.standalone.includes(id))).toBe(true);
    expect(mid.standalone).toHaveLength(3);

    // Healthy now (no proxy): the re-run keeps the new one, replaces the rest, nothing doubled.
    const resumed = await runCli(['instances'], { cwd: dir, env: awsEnv(moto.url) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr.match(/launching a replacement/g)).toHaveLength(1);
    const end = await ids();
    expect(end.standalone).toHaveLength(2);
    expect(end.standalone.filter((id) => old.includes(id))).toEqual([]);
    expect(end.standalone).toContain(mid.standalone.find((id) => !old.includes(id)));
  }, 120_000);
});
