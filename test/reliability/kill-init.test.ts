// Kill anywhere, building: `init --yes` SIGKILLed right after each of its mutating calls reached
// moto (the answer never comes back: the crash between the call and the state write), and at
// seeded random moments; after each kill a final `init --yes` must finish with exactly one of
// every resource, configured exactly as a run that was never interrupted configures it.
// Once more with the state in S3, on a representative subset (a full loop there is ~45 kills, the
// state writes being calls too: minutes): right after the lock is taken, after CreateTargetGroup,
// after the state write that follows CreateLoadBalancer, after UploadServerCertificate, after the
// last resource's state write and after the outcome's, and at two random moments. There the lock a killed run left must be
// explained by the next run and broken with `albctl unlock --force`, never silently.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mutatingAction, seededRandom, startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, noDuplicates, stackShape } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { killAfter, killOnRule, resetBed, type KilledRun } from '../support/reliability.js';
import { localState, s3State, type StateMode } from '../support/state-modes.js';

const moto = useMoto();
const SEED = 20_260_601;
const RANDOM_KILLS = 10;

/** After the kill: no torn state file, never two of anything. After the final run: the reference stack. */
async function afterKill(mode: StateMode, label: string, dir: string, proxyUrl: string, killed: KilledRun, reference: unknown, problems: string[]): Promise<void> {
  const cli = (args: string[]) => runCli(args, { cwd: dir, env: awsEnv(proxyUrl) });
  const torn = await mode.check(dir);
  if (torn.problem) problems.push(`${label}: state after the kill: ${torn.problem}`);
  const dup = noDuplicates(await census(moto.client, 'albctl'));
  if (dup.length) problems.push(`${label}: duplicates after the kill: ${dup.join(', ')}`);
  problems.push(...(await mode.afterKill(dir, cli)).map((p) => `${label}: ${p}`));
  const final = await cli(['init', '--yes', ...mode.args(dir)]);
  if (final.code !== 0) {
    problems.push(`${label}: final init exited ${final.code}: ${final.stderr.split('\n').filter((l) => l.startsWith('albctl:')).join(' | ')}`);
    return;
  }
  const count = await census(moto.client, 'albctl');
  if (JSON.stringify(count) !== JSON.stringify(fullStack)) problems.push(`${label}: after the final run: ${JSON.stringify(count)}`);
  const shape = await stackShape(moto.client, 'albctl');
  if (JSON.stringify(shape) !== JSON.stringify(reference)) {
    problems.push(`${label}: configured differently:\n  got  ${JSON.stringify(shape)}\n  want ${JSON.stringify(reference)}`);
  }
  const state = await mode.check(dir);
  const notCreated = Object.entries(state.state?.resources ?? {}).filter(([, r]) => r.status !== 'created');
  if (notCreated.length) problems.push(`${label}: state left ${notCreated.map(([id, r]) => `${id} ${r.status}`).join(', ')}`);
  if (state.state?.lastInit?.outcome !== 'done') problems.push(`${label}: lastInit ${JSON.stringify(state.state?.lastInit)}`);
  if (killed.killed && killed.code === 0) problems.push(`${label}: killed but exited 0?`);
}

/** Which mutating calls (1-based) to kill after, from the reference run's list. */
const every = (calls: string[]) => calls.map((_, i) => i + 1);
const representative = (calls: string[]) => {
  const at = (action: string) => calls.indexOf(action) + 1;
  const outcome = calls.lastIndexOf('PutObject');
  // The last resource's write, then the outcome's: killed between them, the next init has nothing to build and must still record "done".
  return [1, at('CreateTargetGroup'), at('CreateLoadBalancer') + 1, at('UploadServerCertificate'), calls.lastIndexOf('PutObject', outcome - 1) + 1, outcome + 1];
};

const modes: { mode: StateMode; label: string; pick: (calls: string[]) => number[]; randomKills: number }[] = [
  { mode: localState, label: 'every mutating call', pick: every, randomKills: RANDOM_KILLS },
  { mode: s3State(moto), label: 'the lock, creates and state writes', pick: representative, randomKills: 2 },
];

describe.each(modes)('kill anywhere: init, $mode.name state', ({ mode, label, pick, randomKills }) => {
  it(`SIGKILL after ${label} and at ${randomKills} random moments (seed ${SEED}); a final init converges`, async () => {
    const proxy = await startAwsProxy(moto.url);
    const fresh = async () => {
      await resetBed(moto.url);
      await mode.ready();
      return tempDir();
    };
    try {
      // The reference: an uninterrupted build, and the mutating calls it makes.
      const clean = await fresh();
      const started = Date.now();
      const ref = await runCli(['init', '--yes', ...mode.args(clean)], { cwd: clean, env: awsEnv(proxy.url) });
      const cleanMs = Date.now() - started;
      expect(ref.code, ref.stderr).toBe(0);
      const mutating = proxy.calls.filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      expect(mutating.length).toBeGreaterThan(10);
      expect(await census(moto.client, 'albctl')).toEqual(fullStack);
      const reference = await stackShape(moto.client, 'albctl');

      const problems: string[] = [];
      let kills = 0;
      let planned = 0;
      for (const k of pick(mutating)) {
        expect(k, `a call to kill after in ${mutating.join(',')}`).toBeGreaterThan(0);
        planned++;
        const dir = await fresh();
        const args = ['init', '--yes', ...mode.args(dir)];
        const killed = await killOnRule(args, { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        if (killed.killed) kills++;
        await afterKill(mode, `kill after mutating call ${k} (${mutating[k - 1]})`, dir, proxy.url, killed, reference, problems);
      }
      const rand = seededRandom(SEED);
      for (let i = 0; i < randomKills; i++) {
        const dir = await fresh();
        // Between node's start-up and the end of a clean build.
        const ms = Math.round(300 + rand() * (cleanMs - 400));
        const killed = await killAfter(['init', '--yes', ...mode.args(dir)], { cwd: dir, proxy, ms });
        if (killed.killed) kills++;
        await afterKill(mode, `random kill ${i + 1} at ${ms} ms`, dir, proxy.url, killed, reference, problems);
      }
      expect(problems).toEqual([]);
      expect(kills).toBeGreaterThanOrEqual(planned);
      console.log(`kill-init (${mode.name} state): ${kills} kills survived (${planned} after mutating calls of ${mutating.length}, ${randomKills} random, seed ${SEED})`);
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
