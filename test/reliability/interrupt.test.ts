// Ctrl-C: SIGINT during `init` and during `destroy` stops between AWS calls (an AWS call in
// flight is abandoned), exits 130 with one line saying the state is consistent, and a re-run
// resumes: exactly one of everything, or nothing left.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seededRandom, startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, noDuplicates, nothing } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto, type CliResult } from '../support/harness.js';
import { checkStateFile, killOnRule, resetBed } from '../support/reliability.js';

const moto = useMoto();
const errorLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('albctl:'));

function expectInterrupted(r: CliResult & { killed: boolean }): void {
  expect(r.killed).toBe(true);
  expect(r.code, r.stderr).toBe(130);
  expect(errorLines(r)).toEqual(['albctl: interrupted: the state is consistent; run the command again to resume']);
  expect(r.stderr).toMatch(/SIGINT: stopping after the current AWS call/);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

describe('Ctrl-C', () => {
  it('during init, while CreateLoadBalancer is in flight: 130, state consistent, the re-run resumes', async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      const file = path.join(dir, '.albctl', 'albctl.json');
      // moto makes the load balancer; its answer never comes; Ctrl-C.
      const r = await killOnRule(['init', '--yes'], { cwd: dir, proxy, rule: { action: 'CreateLoadBalancer', hang: 'after' }, signal: 'SIGINT' });
      expectInterrupted(r);
      const state = await checkStateFile(file);
      expect(state.problem).toBeUndefined();
      expect(state.state?.lastInit?.outcome).toBe('interrupted');
      expect(state.state?.resources.loadBalancer).toMatchObject({ status: 'creating', name: 'albctl-alb' });
      expect(noDuplicates(await census(moto.client, 'albctl'))).toEqual([]);
      // The lock went with the process.
      await expect(access(`${file}.lock`)).rejects.toThrow();

      const again = await runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/the last init of stack albctl .* was interrupted with \d+ resource\(s\) built/);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      expect((await checkStateFile(file)).state?.lastInit?.outcome).toBe('done');
    } finally {
      await proxy.stop();
    }
  });

  it('during destroy, while DeleteLoadBalancer is in flight: 130, state consistent, the re-run finishes', async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      const file = path.join(dir, '.albctl', 'albctl.json');
      expect((await runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) })).code).toBe(0);
      const r = await killOnRule(['destroy', '--yes'], { cwd: dir, proxy, rule: { action: 'DeleteLoadBalancer', hang: 'after' }, signal: 'SIGINT' });
      expectInterrupted(r);
      const state = await checkStateFile(file);
      expect(state.problem).toBeUndefined();
      expect(state.state?.resources.loadBalancer?.status).toBe('deleting');
      const again = await runCli(['destroy', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
      expect(again.code, again.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(nothing);
      expect((await checkStateFile(file)).exists).toBe(false);
    } finally {
      await proxy.stop();
    }
  });

  it('at random moments (seeded) during init and destroy: 130 or done, never a mess', async () => {
    const proxy = await startAwsProxy(moto.url);
    const rand = seededRandom(20_260_604);
    let interrupted = 0;
    try {
      for (let i = 0; i < 4; i++) {
        await resetBed(moto.url);
        const dir = await tempDir();
        const file = path.join(dir, '.albctl', 'albctl.json');
        // After the first AWS call (Ctrl-C is albctl's to handle from then on), within the build.
        const firstCall = { action: 'GetCallerIdentity' };
        const ms = Math.round(rand() * 700);
        const built = await killOnRule(['init', '--yes'], { cwd: dir, proxy, rule: firstCall, delayMs: ms, signal: 'SIGINT' });
        expect([0, 130], `init interrupted at ${ms} ms: ${built.stderr}`).toContain(built.code);
        if (built.code === 130) {
          interrupted++;
          expect(errorLines(built)).toHaveLength(1);
        }
        expect((await checkStateFile(file)).problem).toBeUndefined();
        expect(noDuplicates(await census(moto.client, 'albctl'))).toEqual([]);
        const resumed = await runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(await census(moto.client, 'albctl')).toEqual(fullStack);

        const dms = Math.round(rand() * 350);
        const torn = await killOnRule(['destroy', '--yes'], { cwd: dir, proxy, rule: firstCall, delayMs: dms, signal: 'SIGINT' });
        expect([0, 130], `destroy interrupted at ${dms} ms: ${torn.stderr}`).toContain(torn.code);
        if (torn.code === 130) interrupted++;
        expect((await checkStateFile(file)).problem).toBeUndefined();
        const finished = await runCli(['destroy', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
        expect(finished.code, finished.stderr).toBe(0);
        expect(await census(moto.client, 'albctl')).toEqual(nothing);
      }
      expect(interrupted).toBeGreaterThanOrEqual(5);
    } finally {
      await proxy.stop();
    }
  }, 120_000);
});
