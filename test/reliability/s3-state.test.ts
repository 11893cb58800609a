// The state in S3 under contention and crashes, against moto's S3 (its PutObject implements
// If-None-Match and If-Match with 412, as S3 does): two runs in separate working directories
// (two machines, as far as the state goes) contend for one stack; a write that lost a race never
// overwrites; a SIGKILLed run's lock is explained by the next run and broken only by
// `albctl unlock --force`; Ctrl-C releases the lock.
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, noDuplicates } from '../support/census.js';
import { awsEnv, collect, runCli, startCli, tempDir, useMoto, type CliResult } from '../support/harness.js';
import { killOnRule } from '../support/reliability.js';
import { lockIdIn, makeStateBucket, readObject, STATE_BUCKET } from '../support/state-modes.js';

const moto = useMoto();
const state = `s3://${STATE_BUCKET}/team/`;
const stateKey = 'team/albctl.json';
const lockKey = 'team/albctl.json.lock';
const errorLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('albctl:'));

async function putLock(lock: Record<string, unknown>): Promise<void> {
  await moto.client(S3Client).send(new PutObjectCommand({ Bucket: STATE_BUCKET, Key: lockKey, Body: JSON.stringify(lock) }));
}

describe('the S3 lock', () => {
  it('two init --yes in separate directories at once: one builds, the other exits 3 naming the holder', async () => {
    await makeStateBucket(moto);
    const proxy = await startAwsProxy(moto.url);
    try {
      // Whoever holds the lock waits 2 s for its first AWS answer: the other surely meets the lock.
      proxy.rules.push({ action: 'GetCallerIdentity', delayMs: 2000 });
      const dirs = [await tempDir(), await tempDir()];
      const [a, b] = (await Promise.all(dirs.map((dir) => runCli(['init', '--yes', '--state', state], { cwd: dir, env: awsEnv(proxy.url) })))) as [CliResult, CliResult];
      expect([a.code, b.code].sort(), `${a.stderr}\n----\n${b.stderr}`).toEqual([0, 3]);
      const loser = a.code === 3 ? a : b;
      expect(errorLines(loser)).toEqual([
        expect.stringMatching(
          new RegExp(`^albctl: the stack is locked by albctl init \\(lock [0-9a-f]{12}, pid \\d+ on ${hostname()}, user .+, since .+\\): wait for it to finish \\(it was alive \\d+s ago\\)$`),
        ),
      ]);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      expect(await readObject(moto, lockKey)).toBeUndefined(); // the winner released it
    } finally {
      await proxy.stop();
    }
  });

  it('SIGKILL while holding it: the next run explains, a wrong id breaks nothing, unlock --force releases, and the stack converges', async () => {
    await makeStateBucket(moto);
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      const killed = await killOnRule(['init', '--yes', '--state', state], { cwd: dir, proxy, rule: { action: 'CreateLoadBalancer', hang: 'after' } });
      expect(killed.killed).toBe(true);
      const lock = JSON.parse((await readObject(moto, lockKey))!);
      expect(lock).toMatchObject({ command: 'init', host: hostname(), cwd: dir });

      const other = await tempDir(); // another directory: the lock is in S3, not beside a file here
      const env = awsEnv(proxy.url); // the endpoint the state was made against
      const next = await runCli(['init', '--yes', '--state', state], { cwd: other, env });
      expect(next.code).toBe(3);
      expect(errorLines(next)).toEqual([
        `albctl: the stack is locked by albctl init (lock ${lock.id}, pid ${lock.pid} on ${hostname()}, user ${lock.user}, since ${lock.startedAt}), ` +
          `but its process is no longer running on this machine (killed, or the machine restarted): if no albctl is running on this stack, run \`albctl unlock --force ${lock.id}\``,
      ]);
      // status takes no lock, and says who holds it; list shows the run unfinished and the stack locked.
      const status = await runCli(['status', '--state', state, '--json'], { cwd: other, env });
      expect(status.code, status.stderr).toBe(0);
      expect(status.stderr).toContain(`warning: the stack is locked by albctl init (lock ${lock.id}, pid ${lock.pid}`);
      expect(JSON.parse(status.stdout).lock).toMatchObject({ id: lock.id, command: 'init' });
      const listed = await runCli(['list', '--state', state], { cwd: other, env });
      expect(listed.stderr).toMatch(/^albctl\s+us-east-1\s+123456789012\s+\d+\s+init \d+s ago\s+unfinished, locked$/m);

      const wrong = await runCli(['unlock', '--force', '000000000000', '--state', state], { cwd: other, env });
      expect(wrong.code).toBe(3);
      expect(errorLines(wrong)).toEqual([expect.stringMatching(/is held by albctl init \(lock [0-9a-f]{12}, .*not by lock 000000000000: nothing was removed$/)]);
      expect(await readObject(moto, lockKey)).toBeDefined();

      const unlocked = await runCli(['unlock', '--force', lockIdIn(next.stderr)!, '--state', state, '--json'], { cwd: other, env });
      expect(unlocked.code, unlocked.stderr).toBe(0);
      expect(JSON.parse(unlocked.stdout)).toMatchObject({ released: true, lock: { id: lock.id, command: 'init' } });
      expect(await readObject(moto, lockKey)).toBeUndefined();

      const final = await runCli(['init', '--yes', '--state', state], { cwd: other, env });
      expect(final.code, final.stderr).toBe(0);
      expect(final.stderr).toMatch(/the last init of stack albctl .* was interrupted|resum/);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
    } finally {
      await proxy.stop();
    }
  });

  it('a lock of another machine: alive while its heartbeat is fresh, reported with the command that breaks it once it stopped', async () => {
    await makeStateBucket(moto);
    const dir = await tempDir();
    const lock = { id: 'abcdefabcdef', pid: 4242, command: 'destroy', host: 'ci-runner-7', user: 'ci', cwd: '/build', startedAt: '2026-01-01T10:00:00.000Z' };
    await putLock({ ...lock, heartbeatAt: new Date(Date.now() - 30_000).toISOString() });
    const fresh = await runCli(['target-group', '--state', state], { cwd: dir, env: moto.env });
    expect(fresh.code).toBe(3);
    expect(errorLines(fresh)).toEqual([
      expect.stringMatching(
        /^albctl: the stack is locked by albctl destroy \(lock abcdefabcdef, pid 4242 on ci-runner-7, user ci, since 2026-01-01T10:00:00\.000Z\): wait for it to finish \(it was alive 3\ds ago\)$/,
      ),
    ]);
    await putLock({ ...lock, heartbeatAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    const stale = await runCli(['target-group', '--state', state], { cwd: dir, env: moto.env });
    expect(stale.code).toBe(3);
    expect(errorLines(stale)[0]).toMatch(/but it has not been refreshed for 10 min .*run `albctl unlock --force abcdefabcdef`$/);
    // Nothing was built, nothing written here.
    expect((await census(moto.client, 'albctl')).targetGroups).toBe(0);
    expect(await readObject(moto, stateKey)).toBeUndefined();
  });
});

describe('the S3 state', () => {
  it('a write that lost the race (the state changed in S3 during the run) exits 3 and overwrites nothing', async () => {
    await makeStateBucket(moto);
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      const env = awsEnv(proxy.url);
      expect((await runCli(['target-group', '--state', state], { cwd: dir, env })).code).toBe(0);
      // While `alb` waits for CreateLoadBalancer, someone writes the state (a run that broke the lock).
      const theirs = JSON.stringify({ ...JSON.parse((await readObject(moto, stateKey))!), updatedAt: new Date().toISOString() }, null, 2);
      proxy.rules.push({ action: 'CreateLoadBalancer', delayBeforeMs: 1500 });
      let ended = false;
      const running = collect(startCli(['alb', '--state', state], { cwd: dir, env })).finally(() => (ended = true));
      while (!ended && !proxy.calls.some((c) => c.action === 'CreateLoadBalancer')) await new Promise((res) => setTimeout(res, 20));
      await moto.client(S3Client).send(new PutObjectCommand({ Bucket: STATE_BUCKET, Key: stateKey, Body: theirs }));
      const r = await running;
      expect(r.code, r.stderr).toBe(3);
      expect(errorLines(r)).toEqual([
        'albctl: s3://albctl-test-state/team/albctl.json changed since this run read it (another run or an edit): nothing was overwritten; run the command again to start from what it holds now',
      ]);
      expect(await readObject(moto, stateKey)).toBe(theirs);
      expect(await readObject(moto, lockKey)).toBeUndefined(); // released all the same
      // Run again: it starts from what S3 holds, finds what the first run made, and finishes.
      const again = await runCli(['alb', '--state', state], { cwd: dir, env });
      expect(again.code, again.stderr).toBe(0);
      expect(noDuplicates(await census(moto.client, 'albctl'))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('state and lock writes whose answers are lost (S3 did them): the retry meets its own write and carries on', async () => {
    await makeStateBucket(moto);
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      proxy.random = { rate: 0.5, seed: 7, kinds: ['reset-after'], only: /^(PutObject|DeleteObject)$/ };
      const r = await runCli(['alb', '--state', state], { cwd: dir, env: awsEnv(proxy.url) });
      expect(r.code, r.stderr).toBe(0);
      expect(proxy.calls.filter((c) => c.fault === 'reset-after' && c.action === 'PutObject').length).toBeGreaterThan(2);
      const saved = JSON.parse((await readObject(moto, stateKey))!);
      expect(Object.values(saved.resources).map((x) => (x as { status: string }).status)).toEqual(Array(6).fill('created')); // alb's five resources and the load balancer's attributes
      expect(await readObject(moto, lockKey)).toBeUndefined();
      expect(noDuplicates(await census(moto.client, 'albctl'))).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('Ctrl-C during init: exit 130, the outcome recorded in S3, the lock released', async () => {
    await makeStateBucket(moto);
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      const r = await killOnRule(['init', '--yes', '--state', state], { cwd: dir, proxy, rule: { action: 'CreateLoadBalancer', hang: 'after' }, signal: 'SIGINT' });
      expect(r.code, r.stderr).toBe(130);
      const saved = JSON.parse((await readObject(moto, stateKey))!);
      expect(saved.lastInit.outcome).toBe('interrupted');
      expect(saved.lastRun).toMatchObject({ command: 'init', outcome: 'interrupted' });
      expect(await readObject(moto, lockKey)).toBeUndefined();
      const again = await runCli(['init', '--yes', '--state', state], { cwd: dir, env: awsEnv(proxy.url) });
      expect(again.code, again.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
    } finally {
      await proxy.stop();
    }
  });
});
