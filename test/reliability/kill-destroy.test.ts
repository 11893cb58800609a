// Kill anywhere, tearing down: `destroy --yes` SIGKILLed right after each of its mutating calls
// reached moto, and at seeded random moments; a final `destroy --yes` must leave nothing tagged
// with the stack, and no state file. Once more with the state in S3, on a representative subset:
// right after the lock is taken, after DeleteLoadBalancer, after the state object is deleted (the
// lock not yet), and at one random moment; the lock a killed run left is broken with
// `albctl unlock --force` after the next run explained it.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutatingAction, seededRandom, startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, nothing } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { killAfter, killOnRule, resetBed, type KilledRun } from '../support/reliability.js';
import { localState, s3State, type StateMode } from '../support/state-modes.js';

const moto = useMoto();
const SEED = 20_260_602;
const RANDOM_KILLS = 6;

async function afterKill(mode: StateMode, label: string, dir: string, proxyUrl: string, killed: KilledRun, problems: string[]): Promise<void> {
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: awsEnv(proxyUrl) });
  const torn = await mode.check(dir);
  if (torn.problem) problems.push(`${label}: state after the kill: ${torn.problem}`);
  problems.push(...(await mode.afterKill(dir, cli)).map((p) => `${label}: ${p}`));
  const final = await cli(['destroy', '--yes', ...mode.args(dir)]);
  if (final.code !== 0) {
    problems.push(`${label}: final destroy exited ${final.code}: ${final.stderr.split('\n').filter((l) => l.startsWith('albctl:')).join(' | ')}`);
    return;
  }
  const left = await census(moto.client, 'albctl');
  if (JSON.stringify(left) !== JSON.stringify(nothing)) problems.push(`${label}: left behind: ${JSON.stringify(left)}`);
  if ((await mode.check(dir)).exists) problems.push(`${label}: the state file is still there`);
  if (await access(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem')).then(() => true, () => false)) {
    problems.push(`${label}: private.pem is still there`);
  }
  if (killed.killed && killed.code === 0) problems.push(`${label}: killed but exited 0?`);
}

async function build(mode: StateMode, dir: string, proxyUrl: string): Promise<void> {
  const res = await runCli(['init', '--yes', ...mode.args(dir)], { cwd: dir, env: awsEnv(proxyUrl) });
  expect(res.code, res.stderr).toBe(0);
}

const every = (calls: string[]) => calls.map((_, i) => i + 1);
const representative = (calls: string[]) => [1, calls.indexOf('DeleteLoadBalancer') + 1, calls.lastIndexOf('DeleteObject', calls.lastIndexOf('DeleteObject') - 1) + 1];

const modes: { mode: StateMode; label: string; pick: (calls: string[]) => number[]; randomKills: number }[] = [
  { mode: localState, label: 'every mutating call', pick: every, randomKills: RANDOM_KILLS },
  { mode: s3State(moto), label: 'the lock, DeleteLoadBalancer and the state\'s deletion', pick: representative, randomKills: 1 },
];

describe.each(modes)('kill anywhere: destroy, $mode.name state', ({ mode, label, pick, randomKills }) => {
  it(`SIGKILL after ${label} and at ${randomKills} random moments (seed ${SEED}); a final destroy leaves nothing`, async () => {
    const proxy = await startAwsProxy(moto.url);
    const fresh = async () => {
      await resetBed(moto.url);
      await mode.ready();
      const dir = await tempDir();
      await build(mode, dir, proxy.url);
      return dir;
    };
    try {
      const clean = await fresh();
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      const before = proxy.calls.length;
      const started = Date.now();
      const ref = await runCli(['destroy', '--yes', ...mode.args(clean)], { cwd: clean, env: awsEnv(proxy.url) });
      const cleanMs = Date.now() - started;
      expect(ref.code, ref.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(nothing);
      const mutating = proxy.calls.slice(before).filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      expect(mutating.length).toBeGreaterThan(10);

      const problems: string[] = [];
      let kills = 0;
      const picked = pick(mutating);
      for (const k of picked) {
        expect(k, `a call to kill after in ${mutating.join(',')}`).toBeGreaterThan(0);
        const dir = await fresh();
        const killed = await killOnRule(['destroy', '--yes', ...mode.args(dir)], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        if (killed.killed) kills++;
        await afterKill(mode, `kill after mutating call ${k} (${mutating[k - 1]})`, dir, proxy.url, killed, problems);
      }
      const rand = seededRandom(SEED);
      for (let i = 0; i < randomKills; i++) {
        const dir = await fresh();
        const ms = Math.round(300 + rand() * (cleanMs - 350));
        const killed = await killAfter(['destroy', '--yes', ...mode.args(dir)], { cwd: dir, proxy, ms });
        if (killed.killed) kills++;
        await afterKill(mode, `random kill ${i + 1} at ${ms} ms`, dir, proxy.url, killed, problems);
      }
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(picked.length);
      console.log(`kill-destroy (${mode.name} state): ${kills} kills survived (${picked.length} after mutating calls of ${mutating.length}, ${randomKills} random, seed ${SEED})`);
    } finally {
      await proxy.stop();
    }
  }, 300_000);
});
