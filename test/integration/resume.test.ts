// Crashes and "not yet" answers, through a fault-injecting proxy in front of moto.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { awsEnv, collect, runCli, startCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();
let proxy: AwsProxy;

beforeEach(async () => {
  proxy = await startAwsProxy(moto.url);
});
afterEach(async () => {
  await proxy.stop();
});

async function targetGroupNames(): Promise<string[]> {
  const out = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}));
  return (out.TargetGroups ?? []).map((t) => t.TargetGroupName!);
}

describe('resume after a crash', () => {
  it('a run SIGKILLed right after CreateTargetGroup is resumed without a duplicate', async () => {
    const dir = await tempDir();
    // moto creates the target group; the answer never comes back; albctl is killed while waiting.
    proxy.rules.push({ action: 'CreateTargetGroup', hang: 'after' });
    const child = startCli(['target-group'], { cwd: dir, env: awsEnv(proxy.url) });
    const done = collect(child);
    await proxy.waitFor('CreateTargetGroup');
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');

    expect(await targetGroupNames()).toEqual(['albctl-tg']);
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.resources.targetGroup).toMatchObject({ status: 'creating', name: 'albctl-tg' });
    expect(state.resources.targetGroup.id).toBeUndefined();
    // The dead run's lock is still there; it must not block the next run.
    await expect(readFile(path.join(dir, '.albctl', 'albctl.json.lock'), 'utf8')).resolves.toContain(`"pid":${child.pid}`);

    const resumed = await runCli(['target-group', '--json'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(resumed.code, resumed.stderr).toBe(0);
    // Adopted, and converged: the crash came before the deregistration delay was set.
    expect(JSON.parse(resumed.stdout).actions[0]).toMatchObject({
      action: 'update',
      changes: ['deregistration delay: 300s → 30s'],
    });
    expect(await targetGroupNames()).toEqual(['albctl-tg']);
    const after = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(after.resources.targetGroup.status).toBe('created');
    expect(after.resources.targetGroup.id).toMatch(/^arn:aws:elasticloadbalancing:.*:targetgroup\/albctl-tg\//);
  });

  it('a destroy SIGKILLed after DeleteTargetGroup finishes on the next run', async () => {
    const dir = await tempDir();
    expect((await runCli(['target-group'], { cwd: dir, env: awsEnv(proxy.url) })).code).toBe(0);
    proxy.rules.push({ action: 'DeleteTargetGroup', hang: 'after' });
    const child = startCli(['destroy', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
    const done = collect(child);
    await proxy.waitFor('DeleteTargetGroup');
    child.kill('SIGKILL');
    await done;
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.resources.targetGroup.status).toBe('deleting');
    const again = await runCli(['destroy', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('already gone');
    expect(await targetGroupNames()).toEqual([]);
  });
});

describe('AWS "not yet" and throttling', () => {
  it('destroy retries ResourceInUse on DeleteTargetGroup until it goes through', async () => {
    const dir = await tempDir();
    expect((await runCli(['target-group'], { cwd: dir, env: awsEnv(proxy.url) })).code).toBe(0);
    // moto never says ResourceInUse; AWS does while a listener still forwards to the group.
    proxy.rules.push({ action: 'DeleteTargetGroup', times: 3, error: { status: 400, code: 'ResourceInUse', message: 'in use by a listener' } });
    const res = await runCli(['destroy', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(res.code, res.stderr).toBe(0);
    expect(proxy.calls.filter((c) => c.action === 'DeleteTargetGroup').map((c) => c.fault ?? 'ok')).toEqual([
      'ResourceInUse',
      'ResourceInUse',
      'ResourceInUse',
      'ok',
    ]);
    expect(await targetGroupNames()).toEqual([]);
  });

  it('throttling and 503s are retried by the SDK; the verbose log shows the retries', async () => {
    const dir = await tempDir();
    proxy.rules.push({ action: 'CreateTargetGroup', times: 2, error: { status: 400, code: 'Throttling', message: 'Rate exceeded' } });
    proxy.rules.push({ action: 'DescribeVpcs', error: { status: 503, code: 'ServiceUnavailable' } });
    const res = await runCli(['target-group', '-v'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/aws ElasticLoadBalancingV2\.CreateTargetGroup \d+ms retries=2/);
    expect(res.stderr).toMatch(/aws EC2\.DescribeVpcs \d+ms retries=1/);
    expect(await targetGroupNames()).toEqual(['albctl-tg']);
  });

  it('an error that is not "not yet" fails once, naming the resource and the AWS code (exit 1)', async () => {
    const dir = await tempDir();
    proxy.rules.push({ action: 'CreateTargetGroup', error: { status: 400, code: 'TooManyTargetGroups', message: 'limit reached' } });
    const res = await runCli(['target-group'], { cwd: dir, env: awsEnv(proxy.url) });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^albctl: target group albctl-tg HTTP:8080 → \/status: TooManyTargetGroups: limit reached$/m);
  });
});
