// `destroy --discover`: the state file is lost; the stack's resources are found by tag.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateTargetGroupCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();

async function names(): Promise<string[]> {
  const out = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}));
  return (out.TargetGroups ?? []).map((t) => t.TargetGroupName!).sort();
}

describe('destroy --discover', () => {
  it('deletes what carries the stack tag, and nothing else', async () => {
    const dir = await tempDir();
    const env = moto.env;
    expect((await runCli(['target-group'], { cwd: dir, env })).code).toBe(0);
    expect((await runCli(['target-group', '--stack', 'other'], { cwd: dir, env })).code).toBe(0);
    const { vpcId } = await moto.network();
    const elb = moto.client(ElasticLoadBalancingV2Client);
    // Foreign look-alikes: same prefix, no tag; and one tagged for another stack.
    await elb.send(new CreateTargetGroupCommand({ Name: 'albctl-tg-copy', Protocol: 'HTTP', Port: 80, VpcId: vpcId }));
    await elb.send(
      new CreateTargetGroupCommand({ Name: 'albctl-tg-x', Protocol: 'HTTP', Port: 80, VpcId: vpcId, Tags: [{ Key: 'albctl:stack', Value: 'albctl-x' }] }),
    );
    await rm(path.join(dir, '.albctl', 'albctl.json'));

    const plain = await runCli(['destroy', '--yes'], { cwd: dir, env });
    expect(plain.stderr).toContain('--discover finds them by tag');
    expect(await names()).toHaveLength(4);

    const dry = await runCli(['destroy', '--discover', '--dry-run', '--json'], { cwd: dir, env });
    expect(JSON.parse(dry.stdout).actions).toEqual([expect.objectContaining({ action: 'delete', name: 'albctl-tg' })]);
    expect(await names()).toHaveLength(4);

    const res = await runCli(['destroy', '--discover', '--yes'], { cwd: dir, env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('deleted ElasticLoadBalancingV2::TargetGroup albctl-tg');
    expect(await names()).toEqual(['albctl-tg-copy', 'albctl-tg-x', 'other-tg']);

    const again = await runCli(['destroy', '--discover', '--yes'], { cwd: dir, env });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('nothing to destroy');
  });

  it("300 foreign target groups: tags read in batches of 20, details only for the stack's own, no throttling storm", async () => {
    const dir = await tempDir();
    expect((await runCli(['target-group'], { cwd: dir, env: moto.env })).code).toBe(0);
    const { vpcId } = await moto.network();
    const elb = moto.client(ElasticLoadBalancingV2Client);
    for (let i = 0; i < 300; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) =>
          elb.send(new CreateTargetGroupCommand({ Name: `foreign-${i + j}`, Protocol: 'HTTP', Port: 80, VpcId: vpcId, Tags: [{ Key: 'team', Value: 'other' }] })),
        ),
      );
    }
    await rm(path.join(dir, '.albctl', 'albctl.json'));
    const proxy = await moto.proxy();
    const res = await runCli(['destroy', '--discover', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(res.code, res.stderr).toBe(0);
    expect(await names()).toHaveLength(300);
    const count = (action: string) => proxy.calls.filter((c) => c.action === action).length;
    // 301 target groups: 16 batches, plus the look of each owned resource (and the one deleted).
    expect(count('DescribeTags')).toBeLessThanOrEqual(Math.ceil(301 / 20) + 4);
    expect(count('DescribeTargetGroupAttributes')).toBeLessThanOrEqual(2);
    expect(proxy.calls.length).toBeLessThan(80);
  }, 120_000);
});
