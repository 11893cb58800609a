// Kill anywhere, tearing down: `destroy --yes` SIGKILLed right after each of its mutating calls
// reached moto, and at seeded random moments; a final `destroy --yes` must leave nothing tagged
// with the stack, and no state file.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutatingAction, seededRandom, startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, nothing, secureStack } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { checkStateFile, killAfter, killOnRule, resetBed, type KilledRun } from '../support/reliability.js';

const moto = useMoto();
const SEED = 20_260_602;
const RANDOM_KILLS = 6;

async function afterKill(label: string, dir: string, proxyUrl: string, killed: KilledRun, problems: string[], flags: string[] = []): Promise<void> {
  const stateFile = path.join(dir, '.albctl', 'albctl.json');
  const torn = await checkStateFile(stateFile);
  if (torn.problem) problems.push(`${label}: state after the kill: ${torn.problem}`);
  const final = await runCli(['destroy', '--yes', ...flags], { cwd: dir, env: awsEnv(proxyUrl) });
  if (final.code !== 0) {
    problems.push(`${label}: final destroy exited ${final.code}: ${final.stderr.split('\n').filter((l) => l.startsWith('albctl:')).join(' | ')}`);
    return;
  }
  const left = await census(moto.client, 'albctl');
  if (JSON.stringify(left) !== JSON.stringify(nothing)) problems.push(`${label}: left behind: ${JSON.stringify(left)}`);
  if (await access(stateFile).then(() => true, () => false)) problems.push(`${label}: the state file is still there`);
  if (await access(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem')).then(() => true, () => false)) {
    problems.push(`${label}: private.pem is still there`);
  }
  if (killed.killed && killed.code === 0) problems.push(`${label}: killed but exited 0?`);
}

async function build(dir: string, proxyUrl: string, flags: string[] = []): Promise<void> {
  const res = await runCli(['init', '--yes', ...flags], { cwd: dir, env: awsEnv(proxyUrl) });
  expect(res.code, res.stderr).toBe(0);
}

describe('kill anywhere: destroy', () => {
  it(`SIGKILL after every mutating call and at ${RANDOM_KILLS} random moments (seed ${SEED}); a final destroy leaves nothing`, async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      const clean = await tempDir();
      await build(clean, proxy.url);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      const before = proxy.calls.length;
      const started = Date.now();
      const ref = await runCli(['destroy', '--yes'], { cwd: clean, env: awsEnv(proxy.url) });
      const cleanMs = Date.now() - started;
      expect(ref.code, ref.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(nothing);
      const mutating = proxy.calls.slice(before).filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      expect(mutating.length).toBeGreaterThan(10);

      const problems: string[] = [];
      let kills = 0;
      for (let k = 1; k <= mutating.length; k++) {
        await resetBed(moto.url);
        const dir = await tempDir();
        await build(dir, proxy.url);
        const killed = await killOnRule(['destroy', '--yes'], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        if (killed.killed) kills++;
        await afterKill(`kill after mutating call ${k} (${mutating[k - 1]})`, dir, proxy.url, killed, problems);
      }
      const rand = seededRandom(SEED);
      for (let i = 0; i < RANDOM_KILLS; i++) {
        await resetBed(moto.url);
        const dir = await tempDir();
        await build(dir, proxy.url);
        const ms = Math.round(300 + rand() * (cleanMs - 350));
        const killed = await killAfter(['destroy', '--yes'], { cwd: dir, proxy, ms });
        if (killed.killed) kills++;
        await afterKill(`random kill ${i + 1} at ${ms} ms`, dir, proxy.url, killed, problems);
      }
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(mutating.length);
      console.log(`kill-destroy: ${kills} kills survived (${mutating.length} after mutating calls, ${RANDOM_KILLS} random, seed ${SEED})`);
    } finally {
      await proxy.stop();
    }
  }, 300_000);
});

/** The calls that take down what the security flags add. */
const securityCall = /^(DeleteObjects|DeleteBucket|DisassociateWebACL|DeleteWebACL|DetachRolePolicy|RemoveRoleFromInstanceProfile|DeleteRole|DeleteInstanceProfile|ModifyLoadBalancerAttributes)$/;

describe('kill anywhere: destroy --delete-logs of a stack with the security flags', () => {
  const flags = ['--access-logs', '--waf', '--ssm', '--instance-types', 't3.micro,t3a.micro'];
  it('SIGKILL after each call that takes down the log bucket, web ACL, role and profile; a final destroy leaves nothing', async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      await resetBed(moto.url);
      const clean = await tempDir();
      await build(clean, proxy.url, flags);
      expect(await census(moto.client, 'albctl')).toEqual(secureStack);
      const before = proxy.calls.length;
      const ref = await runCli(['destroy', '--yes', '--delete-logs'], { cwd: clean, env: awsEnv(proxy.url) });
      expect(ref.code, ref.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(nothing);
      const mutating = proxy.calls.slice(before).filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      const picked = mutating.map((a, i) => [a, i + 1] as const).filter(([a]) => securityCall.test(a));
      expect(picked.length).toBeGreaterThanOrEqual(7);
      const problems: string[] = [];
      for (const [action, k] of picked) {
        await resetBed(moto.url);
        const dir = await tempDir();
        await build(dir, proxy.url, flags);
        const killed = await killOnRule(['destroy', '--yes', '--delete-logs'], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        await afterKill(`kill after mutating call ${k} (${action})`, dir, proxy.url, killed, problems, ['--delete-logs']);
      }
      expect(problems).toEqual([]);
      console.log(`kill-destroy with the security flags: ${picked.length} kills survived (${picked.map(([a]) => a).join(', ')})`);
    } finally {
      await proxy.stop();
    }
  }, 300_000);
});
