// `albctl instances` through the built CLI against moto: exactly N instances, spread over the AZs,
// tagged, registered in the target group; re-runs, a crash right after RunInstances, strays and
// scaling in; destroy waits until they are terminated.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeInstancesCommand, EC2Client, RunInstancesCommand, TerminateInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SdkClient } from '../../src/aws/clients.js';
import { instances } from '../../src/steps/instances.js';
import { network } from '../../src/steps/network.js';
import { awsEnv, collect, computePrerequisites, makeContext, startCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();

const tag = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

/** The stack's stand-alone instances that are pending or running (not the terminated). */
async function liveInstances(): Promise<Instance[]> {
  const out = await moto.client(EC2Client).send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:albctl:role', Values: ['instance'] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    }),
  );
  return out.Reservations!.flatMap((r) => r.Instances!).sort((a, b) => Number(tag(a, 'albctl:index')) - Number(tag(b, 'albctl:index')));
}

async function registered(tgArn: string): Promise<string[]> {
  const out = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }));
  return out.TargetHealthDescriptions!.map((d) => d.Target!.Id!).sort();
}

describe('albctl instances', () => {
  it('launches --count 2 over two AZs, tagged and registered; re-runs change nothing; converges up and down; destroy terminates', async () => {
    const dir = await tempDir();
    const { tgArn, ltId } = await computePrerequisites(moto, dir);
    const res = await moto.cli(['instances', '--count', '2', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout);
    expect(doc.actions).toEqual([expect.objectContaining({ step: 'instances', action: 'create' })]);

    const two = await liveInstances();
    expect(two).toHaveLength(2);
    expect(new Set(two.map((i) => i.Placement!.AvailabilityZone)).size).toBe(2);
    two.forEach((i, n) => {
      expect(i.State!.Name).toBe('running');
      expect(i.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'albctl:stack', Value: 'albctl' },
          { Key: 'managed-by', Value: 'albctl' },
          { Key: 'albctl:role', Value: 'instance' },
          { Key: 'albctl:index', Value: String(n) },
          { Key: 'Name', Value: `albctl-web-${n}` },
          // Launched from the template (EC2 adds these itself).
          { Key: 'aws:ec2launchtemplate:id', Value: ltId },
        ]),
      );
      expect(i.InstanceType).toBe('t3.micro');
    });
    // moto differs from AWS: it does not apply the template's MetadataOptions to the instance (AWS: HttpTokens required).
    const ids = two.map((i) => i.InstanceId!);
    expect(await registered(tgArn)).toEqual([...ids].sort());
    expect(doc.instances).toMatchObject({ count: 2, instanceIds: ids, launchTemplateId: ltId, targetGroupArn: tgArn });

    const again = await moto.cli(['instances', '-v'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(again.stderr).not.toMatch(/RunInstances|TerminateInstances|RegisterTargets/);
    expect((await liveInstances()).map((i) => i.InstanceId)).toEqual(ids);

    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout).resources as { resource: string; name: string; state: string; detail: string }[];
    expect(status.find((r) => r.resource === 'instances')).toMatchObject({ state: 'created', detail: `2 of 2 running, from ${ltId}` });
    const rows = status.filter((r) => r.resource === 'instance');
    expect(rows.map((r) => r.name)).toEqual(ids);
    expect(rows[0]!.detail).toMatch(/^index 0, us-east-1\w, 172\.31\.\d+\.\d+, target healthy, template v1$/);

    const three = await moto.cli(['instances', '--count', '3', '--json'], dir);
    expect(JSON.parse(three.stdout).actions[0].changes).toEqual(['launch 1 instance(s) (index 2)']);
    const after3 = await liveInstances();
    expect(after3.map((i) => tag(i, 'albctl:index'))).toEqual(['0', '1', '2']);
    expect(new Set(after3.map((i) => i.Placement!.AvailabilityZone)).size).toBe(3);

    const one = await moto.cli(['instances', '--count', '1', '--json'], dir);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout).actions[0].changes).toEqual([
      `terminate ${after3[2]!.InstanceId} (index 2), ${after3[1]!.InstanceId} (index 1)`,
    ]);
    expect((await liveInstances()).map((i) => i.InstanceId)).toEqual([ids[0]]);
    expect(await registered(tgArn)).toEqual([ids[0]]);

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await liveInstances()).toEqual([]);
    const all = await moto.client(EC2Client).send(new DescribeInstancesCommand({ InstanceIds: after3.map((i) => i.InstanceId!) }));
    expect(all.Reservations!.flatMap((r) => r.Instances!).map((i) => i.State!.Name)).toEqual(['terminated', 'terminated', 'terminated']);
  });

  it('a run SIGKILLed right after RunInstances is resumed to exactly N instances', async () => {
    const dir = await tempDir();
    const proxy = await moto.proxy();
    const env = awsEnv(proxy.url);
    await computePrerequisites(moto, dir, env);
    // moto launches the instance; the answer never comes back; albctl is killed while waiting.
    proxy.rules.push({ action: 'RunInstances', hang: 'after' });
    const child = startCli(['instances', '--count', '2'], { cwd: dir, env });
    const done = collect(child);
    await proxy.waitFor('RunInstances');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.resources.instances).toMatchObject({ status: 'creating', name: 'albctl-web' });
    const launched = (await liveInstances()).length;
    expect(launched).toBeGreaterThanOrEqual(1); // the hung call made one; the other index may have launched too

    // The re-run finds what the dead run launched by its tags and launches only the missing index.
    // (moto ignores ClientToken, so here the tags alone prevent a duplicate; on AWS the token covers
    // a launch that DescribeInstances does not show yet.)
    const resumed = await moto.cli(['instances', '--count', '2', '--json'], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    const live = await liveInstances();
    expect(live.map((i) => tag(i, 'albctl:index'))).toEqual(['0', '1']);
    expect(proxy.calls.filter((c) => c.action === 'RunInstances')).toHaveLength(2);
    expect(JSON.parse(resumed.stdout).instances.instanceIds).toEqual(live.map((i) => i.InstanceId));
    expect((await moto.cli(['instances', '--count', '2'], dir, env)).stderr).toContain('nothing to do');
  });

  it('replaces an instance terminated behind its back, and terminates a stray duplicate of an index', async () => {
    const dir = await tempDir();
    const { tgArn, ltId } = await computePrerequisites(moto, dir);
    expect((await moto.cli(['instances'], dir)).code).toBe(0); // --count defaults to 2
    const [a, b] = await liveInstances();
    const ec2 = moto.client(EC2Client);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [b!.InstanceId!] }));
    // A second index-0 instance, as a run racing another (or a lost answer without ClientToken) could leave.
    const stray = await ec2.send(
      new RunInstancesCommand({
        LaunchTemplate: { LaunchTemplateId: ltId },
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [
          {
            ResourceType: 'instance',
            Tags: [
              { Key: 'albctl:stack', Value: 'albctl' },
              { Key: 'albctl:role', Value: 'instance' },
              { Key: 'albctl:index', Value: '0' },
            ],
          },
        ],
      }),
    );
    const strayId = stray.Instances![0]!.InstanceId!;
    const res = await moto.cli(['instances', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).actions[0].changes).toEqual(['launch 1 instance(s) (index 1)', `terminate ${strayId} (index 0)`]);
    const live = await liveInstances();
    expect(live).toHaveLength(2);
    expect(live[0]!.InstanceId).toBe(a!.InstanceId);
    expect(live.map((i) => i.InstanceId)).not.toContain(strayId);
    expect(await registered(tgArn)).toEqual(live.map((i) => i.InstanceId!).sort());
  });

  it('a ClientToken that belongs to a terminated instance is followed by the next one; destroy waits for "terminated"', async () => {
    const dir = await tempDir();
    await computePrerequisites(moto, dir);
    const stateDir = path.join(dir, '.albctl');
    const state = JSON.parse(await readFile(path.join(stateDir, 'albctl.json'), 'utf8'));
    const { ctx } = await makeContext({ endpoint: moto.url, dir: stateDir, inputs: { ...state.inputs, instanceCount: 1 } });
    ctx.outputs.set('network', (await network.find(ctx))!.outputs);
    // AWS keeps a ClientToken for 24 hours after its instance terminated and answers a repeat with
    // that dead instance (moto ignores tokens): pretend the first token is such a one.
    const tokens: string[] = [];
    let describesAfterTerminate = 0;
    let terminated = false;
    type Next = (a: { input: Record<string, unknown> }) => Promise<{ output: Record<string, unknown> }>;
    // Typed as albctl's own view of a client: the middleware only looks at names, input and output.
    const sdk: SdkClient = ctx.aws.client(EC2Client);
    sdk.middlewareStack.add(
      (next: Next, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => {
        if (context.commandName === 'RunInstancesCommand') {
          tokens.push(String(args.input.ClientToken));
          if (tokens.length === 1) {
            return { output: { Instances: [{ InstanceId: 'i-0000000000000dead', State: { Name: 'terminated' } }] } };
          }
        }
        if (context.commandName === 'TerminateInstancesCommand') terminated = true;
        const out = await next(args);
        // ... and AWS takes a while to terminate: the first describes after TerminateInstances say shutting-down.
        if (terminated && context.commandName === 'DescribeInstancesCommand' && args.input.InstanceIds && describesAfterTerminate++ < 2) {
          for (const r of (out.output.Reservations as { Instances: Instance[] }[]) ?? []) {
            for (const i of r.Instances) i.State = { Name: 'shutting-down', Code: 32 };
          }
        }
        return out;
      },
      { step: 'initialize', name: 'pretendAws' },
    );
    const made = await instances.create(ctx);
    expect(tokens).toHaveLength(2);
    expect(tokens[0]).toMatch(/^albctl-i0-[0-9a-f]{12}$/);
    expect(tokens[1]).toBe(`${tokens[0]}-r1`);
    expect(made.outputs.instanceIds).toHaveLength(1);
    expect((await liveInstances()).map((i) => i.InstanceId)).toEqual(made.outputs.instanceIds);

    await instances.destroy(ctx, made);
    expect(describesAfterTerminate).toBeGreaterThanOrEqual(3);
    expect(await liveInstances()).toEqual([]);
    ctx.aws.destroy();
  });

  it('refuses a bad --count and a missing launch template with exit 2', async () => {
    const dir = await tempDir();
    for (const [args, pattern] of [
      [['--count', 'two'], /^albctl: --count must be an integer from 0 to 50 \(got "two"\)$/m],
      [['--count', '51'], /^albctl: --count must be an integer from 0 to 50/m],
      [[], /^albctl: this needs the launch template, which .* does not have: run `albctl launch-template` first$/m],
    ] as const) {
      const res = await moto.cli(['instances', ...args, '-v'], dir);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(pattern);
      expect(res.stderr).not.toMatch(/^aws /m);
    }
  });
});
