// The state file and its lock, end to end through the CLI: two runs on one stack never
// interleave; a dead run's lock does not block; a state file albctl cannot trust (unreadable,
// truncated, not albctl's, another account or region) is refused with exit 3 and left byte for
// byte, by every command that reads it; a kill during state writes never leaves a torn file.
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mutatingAction, seededRandom, startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, noDuplicates } from '../support/census.js';
import { awsEnv, collect, runCli, startCli, tempDir, useMoto } from '../support/harness.js';
import { checkStateFile, killAfter, killOnRule, resetBed } from '../support/reliability.js';

const moto = useMoto();
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('albctl:'));
const mutatingLines = (stderr: string) => stderr.split('\n').filter((l) => /^aws \w+\.\w+ /.test(l) && !/^aws \w+\.(Describe|Get|List)\w* /.test(l));

describe('the lock', () => {
  it('two init --yes on one stack at once: one builds, the other exits 3 naming the lock and the fix', async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      // Whoever holds the lock waits 2 s for its first AWS answer: the other surely meets the lock.
      proxy.rules.push({ action: 'GetCallerIdentity', delayMs: 2000 });
      const [a, b] = await Promise.all([
        runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) }),
        runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) }),
      ]);
      const codes = [a.code, b.code].sort();
      expect(codes, `${a.stderr}\n----\n${b.stderr}`).toEqual([0, 3]);
      const loser = a.code === 3 ? a : b;
      expect(errorLines(loser.stderr)).toHaveLength(1);
      expect(errorLines(loser.stderr)[0]).toMatch(
        /^albctl: the stack is locked by albctl init \(lock [0-9a-f]{12}, pid \d+ on .+, since .+\): wait for it to finish$/,
      );
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      // The winner released its lock.
      expect(await readdir(path.join(dir, '.albctl'))).not.toContain('albctl.json.lock');
    } finally {
      await proxy.stop();
    }
  });

  it('a lock left by a SIGKILLed init does not block the next run', async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      const killed = await killOnRule(['init', '--yes'], { cwd: dir, proxy, rule: { action: 'CreateTargetGroup', hang: 'after' } });
      expect(killed.killed).toBe(true);
      const lock = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json.lock'), 'utf8'));
      expect(lock).toMatchObject({ command: 'init' });
      const again = await runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
      expect(again.code, again.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
    } finally {
      await proxy.stop();
    }
  });

  it('a lock file that is not even JSON (a crash of something else) is taken over', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, '.albctl'));
    await writeFile(path.join(dir, '.albctl', 'albctl.json.lock'), '{"pid": 12');
    const res = await runCli(['target-group'], { cwd: dir, env: moto.env });
    expect(res.code, res.stderr).toBe(0);
  });
});

/** A state file as a real run writes it (a whole stack, against this moto), to spoil in different ways. */
async function realState(): Promise<{ dir: string; text: string }> {
  const dir = await tempDir();
  const res = await runCli(['init', '--yes'], { cwd: dir, env: moto.env });
  expect(res.code, res.stderr).toBe(0);
  return { dir, text: await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8') };
}

type Spoil = (text: string) => string;
const edit = (f: (s: Record<string, unknown>) => void): Spoil => (text) => {
  const s = JSON.parse(text) as Record<string, unknown>;
  f(s);
  return JSON.stringify(s, null, 2);
};

const spoiled: Record<string, { spoil: Spoil | 'directory'; says: RegExp }> = {
  unreadable: { spoil: 'directory', says: /cannot read the state file .*albctl\.json/ },
  truncated: { spoil: (t) => t.slice(0, Math.floor(t.length / 2)), says: /albctl\.json is not valid JSON .*left as it is/ },
  empty: { spoil: () => '', says: /albctl\.json is not valid JSON/ },
  'not albctl\'s': { spoil: () => JSON.stringify({ version: 1, hello: 'world' }), says: /albctl\.json is not an albctl state file/ },
  'a newer version': { spoil: edit((s) => (s.version = 2)), says: /albctl\.json has state version 2; this albctl reads version 1/ },
  'another stack': { spoil: edit((s) => (s.stack = 'other')), says: /albctl\.json belongs to stack "other", not "albctl"/ },
  'another account': { spoil: edit((s) => (s.account = '999999999999')), says: /albctl\.json belongs to AWS account 999999999999, but the credentials are for 123456789012/ },
  'another region': { spoil: edit((s) => (s.region = 'eu-west-1')), says: /albctl\.json was made in eu-west-1, not us-east-1: pass --region eu-west-1/ },
};

/** Every command that reads the state, with arguments that would otherwise change something. */
const readers: string[][] = [
  ['init', '--yes'],
  ['target-group'],
  ['alb'],
  ['cert', '--upload'],
  ['https'],
  ['sticky'],
  ['launch-template', '--security-groups', 'sg-0123456789abcdef0'],
  ['asg'],
  ['instances'],
  ['status'],
  ['destroy', '--yes'],
  ['destroy', '--yes', '--discover'],
];
/** Commands that read the state without AWS: refused for what the file itself shows. */
const offline: string[][] = [['loadtest', '-d', '1'], ['launch-template', '--print-user-data']];

interface Case {
  name: string;
  args: string[];
}

const cases: Case[] = [
  // Every kind of spoiled state against the commands that matter most…
  ...Object.keys(spoiled).flatMap((name) => [['init', '--yes'], ['destroy', '--yes'], ['status']].map((args) => ({ name, args }))),
  // …and every command against a torn file and someone else's account.
  ...readers.flatMap((args) => ['truncated', 'another account'].map((name) => ({ name, args }))),
  ...offline.flatMap((args) => ['truncated', 'not albctl\'s'].map((name) => ({ name, args }))),
];
const unique = [...new Map(cases.map((c) => [`${c.args.join(' ')} / ${c.name}`, c])).values()];

describe('a state file albctl cannot trust: exit 3, nothing changed, the file left byte for byte', () => {
  let base: { dir: string; text: string } | undefined;

  it.each(unique.map((c) => [`${c.args.join(' ')}: ${c.name}`, c] as const))('%s', async (_label, c) => {
    base ??= await realState();
    const dir = await tempDir();
    const file = path.join(dir, '.albctl', 'albctl.json');
    await mkdir(path.dirname(file));
    const { spoil, says } = spoiled[c.name]!;
    if (spoil === 'directory') {
      await mkdir(file);
      await writeFile(path.join(file, 'keep'), 'x');
    } else {
      await writeFile(file, spoil(base.text));
    }
    const before = spoil === 'directory' ? null : await readFile(file);
    const res = await runCli([...c.args, '--verbose'], { cwd: dir, env: moto.env });
    expect(res.code, res.stderr).toBe(3);
    const errors = errorLines(res.stderr);
    expect(errors, res.stderr).toHaveLength(1);
    expect(errors[0]).toMatch(says);
    expect(res.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(mutatingLines(res.stderr)).toEqual([]);
    if (before) expect(await readFile(file)).toEqual(before);
    else expect(await readdir(file)).toEqual(['keep']);
    // Nothing else was written (no lock left, no temp file, no certificate files).
    expect((await readdir(path.join(dir, '.albctl'))).sort()).toEqual(['albctl.json']);
    expect(await readdir(dir)).toEqual(['.albctl']);
  });
});

describe('kills during state writes', () => {
  it('30 runs SIGKILLed at random moments while init writes its state: the file always parses and validates; a final run converges', async () => {
    const proxy = await startAwsProxy(moto.url);
    const rand = seededRandom(20_260_603);
    try {
      let dir = await tempDir();
      const file = () => path.join(dir, '.albctl', 'albctl.json');
      // Each killed run resumes the one before (writes happen from ~0.9 s on, once the plan is
      // done); when a run gets to the end, the next starts over in a fresh account.
      const problems: string[] = [];
      let kills = 0;
      let tornCandidates = 0;
      for (let i = 0; i < 30; i++) {
        // Every other kill lands right after a mutating call (a state write follows each), the others at random times.
        const killed =
          i % 2 === 0
            ? await killAfter(['init', '--yes'], { cwd: dir, proxy, ms: Math.round(700 + rand() * 1300) })
            : await killOnRule(['init', '--yes'], { cwd: dir, proxy, rule: { action: mutatingAction, skip: Math.floor(rand() * 3), hang: 'after' } });
        const state = await checkStateFile(file());
        if (state.problem) problems.push(`kill ${i + 1}: ${state.problem}`);
        const dup = noDuplicates(await census(moto.client, 'albctl'));
        if (dup.length) problems.push(`kill ${i + 1}: ${dup.join(', ')}`);
        if (killed.killed) kills++;
        if (killed.killed && state.exists) tornCandidates++;
        if (!killed.killed) {
          expect(killed.code, killed.stderr).toBe(0);
          expect(await census(moto.client, 'albctl')).toEqual(fullStack);
          await resetBed(moto.url);
          dir = await tempDir();
        }
      }
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(20);
      expect(tornCandidates).toBeGreaterThanOrEqual(15);
      const final = await runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
      expect(final.code, final.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      console.log(`state writes: ${kills} kills, ${tornCandidates} with a state file on disk, none torn`);
      // No debris of killed writers either.
      expect((await readdir(path.join(dir, '.albctl'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  }, 180_000);
});

describe('the lock is per stack', () => {
  it('two stacks build at once in one directory', async () => {
    const dir = await tempDir();
    const runs = await Promise.all(
      ['web-a', 'web-b'].map((stack) => collect(startCli(['target-group', '--stack', stack], { cwd: dir, env: moto.env }))),
    );
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    // Each built its own: a target group and a state file per stack.
    const groups = (await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    expect(groups.map((g) => g.TargetGroupName).sort()).toEqual(['web-a-tg', 'web-b-tg']);
    expect((await readdir(path.join(dir, '.albctl'))).filter((f) => f.endsWith('.json')).sort()).toEqual(['web-a.json', 'web-b.json']);
  });
});
