// Kill anywhere, building: `init --yes` SIGKILLed right after each of its mutating calls reached
// moto (the answer never comes back: the crash between the call and the state write), and at
// seeded random moments; after each kill a final `init --yes` must finish with exactly one of
// every resource, configured exactly as a run that was never interrupted configures it.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutatingAction, seededRandom, startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, noDuplicates, secureStack, stackShape, type Census } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { checkStateFile, killAfter, killOnRule, resetBed, type KilledRun } from '../support/reliability.js';

const moto = useMoto();
const SEED = 20_260_601;
const RANDOM_KILLS = 10;

/** After the kill: no torn state file, never two of anything. After the final run: the reference stack. */
async function afterKill(label: string, dir: string, proxyUrl: string, killed: KilledRun, reference: unknown, problems: string[], flags: string[] = [], want: Census = fullStack): Promise<void> {
  const stateFile = path.join(dir, '.albctl', 'albctl.json');
  const torn = await checkStateFile(stateFile);
  if (torn.problem) problems.push(`${label}: state after the kill: ${torn.problem}`);
  const dup = noDuplicates(await census(moto.client, 'albctl'));
  if (dup.length) problems.push(`${label}: duplicates after the kill: ${dup.join(', ')}`);
  const final = await runCli(['init', '--yes', ...flags], { cwd: dir, env: awsEnv(proxyUrl) });
  if (final.code !== 0) {
    problems.push(`${label}: final init exited ${final.code}: ${final.stderr.split('\n').filter((l) => l.startsWith('albctl:')).join(' | ')}`);
    return;
  }
  const count = await census(moto.client, 'albctl');
  if (JSON.stringify(count) !== JSON.stringify(want)) problems.push(`${label}: after the final run: ${JSON.stringify(count)}`);
  const shape = await stackShape(moto.client, 'albctl');
  if (JSON.stringify(shape) !== JSON.stringify(reference)) {
    problems.push(`${label}: configured differently:\n  got  ${JSON.stringify(shape)}\n  want ${JSON.stringify(reference)}`);
  }
  const state = await checkStateFile(stateFile);
  const notCreated = Object.entries(state.state?.resources ?? {}).filter(([, r]) => r.status !== 'created');
  if (notCreated.length) problems.push(`${label}: state left ${notCreated.map(([id, r]) => `${id} ${r.status}`).join(', ')}`);
  if (state.state?.lastInit?.outcome !== 'done') problems.push(`${label}: lastInit ${JSON.stringify(state.state?.lastInit)}`);
  if (killed.killed && killed.code === 0) problems.push(`${label}: killed but exited 0?`);
}

describe('kill anywhere: init', () => {
  it(`SIGKILL after every mutating call and at ${RANDOM_KILLS} random moments (seed ${SEED}); a final init converges`, async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      // The reference: an uninterrupted build, and the mutating calls it makes.
      const clean = await tempDir();
      const started = Date.now();
      const ref = await runCli(['init', '--yes'], { cwd: clean, env: awsEnv(proxy.url) });
      const cleanMs = Date.now() - started;
      expect(ref.code, ref.stderr).toBe(0);
      const mutating = proxy.calls.filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      expect(mutating.length).toBeGreaterThan(10);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      const reference = await stackShape(moto.client, 'albctl');

      const problems: string[] = [];
      let kills = 0;
      for (let k = 1; k <= mutating.length; k++) {
        await resetBed(moto.url);
        const dir = await tempDir();
        const killed = await killOnRule(['init', '--yes'], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        if (killed.killed) kills++;
        await afterKill(`kill after mutating call ${k} (${mutating[k - 1]})`, dir, proxy.url, killed, reference, problems);
      }
      const rand = seededRandom(SEED);
      for (let i = 0; i < RANDOM_KILLS; i++) {
        await resetBed(moto.url);
        const dir = await tempDir();
        // Between node's start-up and the end of a clean build.
        const ms = Math.round(300 + rand() * (cleanMs - 400));
        const killed = await killAfter(['init', '--yes'], { cwd: dir, proxy, ms });
        if (killed.killed) kills++;
        await afterKill(`random kill ${i + 1} at ${ms} ms`, dir, proxy.url, killed, reference, problems);
      }
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(mutating.length);
      console.log(`kill-init: ${kills} kills survived (${mutating.length} after mutating calls, ${RANDOM_KILLS} random, seed ${SEED})`);
    } finally {
      await proxy.stop();
    }
  }, 600_000); // 18 kills + 10 random, each a run and a final init: 494 s measured on 2 busy cores
});

/** The calls of the resources the security flags add (the rest is covered above). */
const securityCall = /^(CreateBucket|PutBucket\w+|PutPublicAccessBlock|CreateWebACL|AssociateWebACL|CreateRole|AttachRolePolicy|CreateInstanceProfile|AddRoleToInstanceProfile|ModifyLoadBalancerAttributes)$/;

describe('kill anywhere: init with the security flags', () => {
  const flags = ['--access-logs', '--waf', '--ssm', '--instance-types', 't3.micro,t3a.micro'];
  it(`SIGKILL after each call that makes the log bucket, web ACL, role and profile; a final init converges`, async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      await resetBed(moto.url);
      const clean = await tempDir();
      const ref = await runCli(['init', '--yes', ...flags], { cwd: clean, env: awsEnv(proxy.url) });
      expect(ref.code, ref.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(secureStack);
      const reference = await stackShape(moto.client, 'albctl');
      const mutating = proxy.calls.filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      const picked = mutating.map((a, i) => [a, i + 1] as const).filter(([a]) => securityCall.test(a));
      expect(picked.length).toBeGreaterThanOrEqual(10);
      const problems: string[] = [];
      for (const [action, k] of picked) {
        await resetBed(moto.url);
        const dir = await tempDir();
        const killed = await killOnRule(['init', '--yes', ...flags], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        await afterKill(`kill after mutating call ${k} (${action})`, dir, proxy.url, killed, reference, problems, flags, secureStack);
      }
      expect(problems).toEqual([]);
      console.log(`kill-init with the security flags: ${picked.length} kills survived (${picked.map(([a]) => a).join(', ')})`);
    } finally {
      await proxy.stop();
    }
  }, 300_000);
});

describe('kill while writing files', () => {
  it('a run killed between writing private.pem and certificate.crt: the next init replaces the partial set', async () => {
    const proxy = await startAwsProxy(moto.url);
    try {
      const dir = await tempDir();
      // Stop the run just before the upload: the certificate files are written by then.
      const killed = await killOnRule(['init', '--yes'], { cwd: dir, proxy, rule: { action: 'UploadServerCertificate', hang: 'before' } });
      expect(killed.killed).toBe(true);
      const certDir = path.join(dir, '.albctl', 'albctl', 'cert');
      const stateFile = path.join(dir, '.albctl', 'albctl.json');
      // What a kill in the middle of writeCertificateFiles leaves: the key linked into place, the
      // certificate not yet, a temp file, and the state still saying "creating".
      await rm(path.join(certDir, 'certificate.crt'));
      await rm(path.join(certDir, 'certificate.csr'));
      await writeFile(path.join(certDir, '.certificate.crt.999999.0badc0de.tmp'), 'half a certificate', { mode: 0o600 });
      const state = JSON.parse(await readFile(stateFile, 'utf8'));
      state.resources.certificateFiles = { ...state.resources.certificateFiles, status: 'creating', id: undefined, outputs: {} };
      delete state.resources.serverCertificate;
      await writeFile(stateFile, JSON.stringify(state));

      const final = await runCli(['init', '--yes'], { cwd: dir, env: awsEnv(proxy.url) });
      expect(final.code, final.stderr).toBe(0);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      expect((await readdir(certDir)).sort()).toEqual(['certificate.crt', 'certificate.csr', 'private.pem', 'public.pem']);
    } finally {
      await proxy.stop();
    }
  });
});
