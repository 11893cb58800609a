// The kill-anywhere loop of kill-init, kill-destroy and kill-s3, for a state kept locally or in
// S3: a clean reference run, then the same command SIGKILLed after picked mutating calls and at
// seeded random moments, each in a fresh account, each followed by a final run that must converge.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { mutatingAction, seededRandom, startAwsProxy } from './aws-proxy.js';
import { census, fullStack, noDuplicates, nothing, stackShape, type Census } from './census.js';
import { awsEnv, runCli, tempDir, type MotoBed } from './harness.js';
import { killAfter, killOnRule, resetBed, type KilledRun, type StateCheck } from './reliability.js';
import type { StateMode } from './state-modes.js';

export interface KillPlan {
  mode: StateMode;
  seed: number;
  /** Which mutating calls (1-based) of the reference run to kill after. */
  pick: (calls: string[]) => number[];
  randomKills: number;
  /** Flags of every run of the command (init's security flags, destroy's --delete-logs). */
  flags?: string[];
  /** Flags of the init that builds the stack a destroy is killed in. */
  buildFlags?: string[];
  /** What a built stack holds (default: fullStack). */
  stack?: Census;
}

/** Every mutating call. */
export const everyCall = (calls: string[]) => calls.map((_, i) => i + 1);

/** The mutating calls whose action matches, at least `min` of them. */
export const callsMatching = (action: RegExp, min: number) => (calls: string[]) => {
  const picked = calls.flatMap((a, i) => (action.test(a) ? [i + 1] : []));
  expect(picked.length, `calls matching ${action} in ${calls.join(',')}`).toBeGreaterThanOrEqual(min);
  return picked;
};

/** What differs between killing init and killing destroy. */
interface Command {
  name: 'init' | 'destroy';
  /** What the account holds before and after a clean run (before: a stack means a clean init builds it first). */
  before: Census;
  after: Census;
  /** Checks right after a kill, before the next run. */
  afterKill(moto: MotoBed): Promise<string[]>;
  /** Checks after the final run beyond the census; `reference` is what `reference()` gave after the clean run. */
  converged(moto: MotoBed, dir: string, state: StateCheck, reference: unknown): Promise<string[]>;
  reference(moto: MotoBed): Promise<unknown>;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

const init = (stack: Census): Command => ({
  name: 'init',
  before: nothing,
  after: stack,
  afterKill: async (moto) => noDuplicates(await census(moto.client, 'albctl')).map((d) => `duplicates after the kill: ${d}`),
  reference: (moto) => stackShape(moto.client, 'albctl'),
  converged: async (moto, _dir, state, reference) => {
    const problems: string[] = [];
    const shape = await stackShape(moto.client, 'albctl');
    if (!same(shape, reference)) problems.push(`configured differently:\n  got  ${JSON.stringify(shape)}\n  want ${JSON.stringify(reference)}`);
    const notCreated = Object.entries(state.state?.resources ?? {}).filter(([, r]) => r.status !== 'created');
    if (notCreated.length) problems.push(`state left ${notCreated.map(([id, r]) => `${id} ${r.status}`).join(', ')}`);
    if (state.state?.lastInit?.outcome !== 'done') problems.push(`lastInit ${JSON.stringify(state.state?.lastInit)}`);
    return problems;
  },
});

const destroy = (stack: Census): Command => ({
  name: 'destroy',
  before: stack,
  after: nothing,
  afterKill: async () => [],
  reference: async () => nothing,
  converged: async (moto, dir, state) => {
    const problems: string[] = [];
    if (state.exists) problems.push('the state file is still there');
    if (await access(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem')).then(() => true, () => false)) problems.push('private.pem is still there');
    return problems;
  },
});

/** After the kill: no torn state, the command's own checks, the mode's lock handling; then a final run that converges. */
async function afterKill(moto: MotoBed, command: Command, plan: KillPlan, dir: string, proxyUrl: string, killed: KilledRun, reference: unknown): Promise<string[]> {
  const { mode } = plan;
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: awsEnv(proxyUrl) });
  const problems: string[] = [];
  const torn = await mode.check(dir);
  if (torn.problem) problems.push(`state after the kill: ${torn.problem}`);
  problems.push(...(await command.afterKill(moto)), ...(await mode.afterKill(dir, cli)));
  const final = await cli([command.name, '--yes', ...(plan.flags ?? []), ...mode.args(dir)]);
  if (final.code !== 0) {
    return [...problems, `final ${command.name} exited ${final.code}: ${final.stderr.split('\n').filter((l) => l.startsWith('albctl:')).join(' | ')}`];
  }
  const count = await census(moto.client, 'albctl');
  if (!same(count, command.after)) problems.push(`after the final ${command.name}: ${JSON.stringify(count)}`);
  problems.push(...(await command.converged(moto, dir, await mode.check(dir), reference)));
  if (killed.killed && killed.code === 0) problems.push('killed but exited 0?');
  return problems;
}

async function killLoop(moto: MotoBed, command: Command, plan: KillPlan): Promise<void> {
  const { mode, seed, pick, randomKills } = plan;
  const proxy = await startAwsProxy(moto.url);
  const args = (dir: string) => [command.name, '--yes', ...(plan.flags ?? []), ...mode.args(dir)];
  const fresh = async () => {
    await resetBed(moto.url);
    await mode.ready();
    const dir = await tempDir();
    if (!same(command.before, nothing)) {
      const built = await runCli(['init', '--yes', ...(plan.buildFlags ?? []), ...mode.args(dir)], { cwd: dir, env: awsEnv(proxy.url) });
      expect(built.code, built.stderr).toBe(0);
    }
    return dir;
  };
  try {
    // The reference: an uninterrupted run, and the mutating calls it makes.
    const clean = await fresh();
    expect(await census(moto.client, 'albctl')).toEqual(command.before);
    const before = proxy.calls.length;
    const started = Date.now();
    const ref = await runCli(args(clean), { cwd: clean, env: awsEnv(proxy.url) });
    const cleanMs = Date.now() - started;
    expect(ref.code, ref.stderr).toBe(0);
    const mutating = proxy.calls.slice(before).filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
    expect(mutating.length).toBeGreaterThan(10);
    expect(await census(moto.client, 'albctl')).toEqual(command.after);
    const reference = await command.reference(moto);

    const problems: string[] = [];
    const report = (label: string, found: string[]) => problems.push(...found.map((p) => `${label}: ${p}`));
    let kills = 0;
    const picked = pick(mutating);
    for (const k of picked) {
      expect(k, `a call to kill after in ${mutating.join(',')}`).toBeGreaterThan(0);
      const dir = await fresh();
      const killed = await killOnRule(args(dir), { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
      if (killed.killed) kills++;
      report(`kill after mutating call ${k} (${mutating[k - 1]})`, await afterKill(moto, command, plan, dir, proxy.url, killed, reference));
    }
    const rand = seededRandom(seed);
    for (let i = 0; i < randomKills; i++) {
      const dir = await fresh();
      // Between node's start-up and the end of a clean run.
      const ms = Math.round(300 + rand() * (cleanMs - 400));
      const killed = await killAfter(args(dir), { cwd: dir, proxy, ms });
      if (killed.killed) kills++;
      report(`random kill ${i + 1} at ${ms} ms`, await afterKill(moto, command, plan, dir, proxy.url, killed, reference));
    }
    expect(problems).toEqual([]);
    expect(kills).toBeGreaterThanOrEqual(picked.length);
    console.log(`kill-${command.name} (${mode.name} state): ${kills} kills survived (${picked.length} after mutating calls of ${mutating.length}, ${randomKills} random, seed ${seed})`);
  } finally {
    await proxy.stop();
  }
}

/** `init --yes` killed; after each kill no torn state, no duplicate, and a final init converges to the reference stack. */
export const killInitLoop = (moto: MotoBed, plan: KillPlan) => killLoop(moto, init(plan.stack ?? fullStack), plan);

/** `destroy --yes` killed (each time on a freshly built stack); a final destroy leaves nothing, no state, no private key. */
export const killDestroyLoop = (moto: MotoBed, plan: KillPlan) => killLoop(moto, destroy(plan.stack ?? fullStack), plan);
