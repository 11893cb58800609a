// Kill anywhere, building: `init --yes` SIGKILLed right after each of its mutating calls reached
// moto (the answer never comes back: the crash between the call and the state write), and at
// seeded random moments; after each kill a final `init --yes` must finish with exactly one of
// every resource, configured exactly as a run that was never interrupted configures it.
// (With the state in S3: kill-s3.test.ts.)
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAwsProxy } from '../support/aws-proxy.js';
import { census, fullStack, secureStack } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { callsMatching, everyCall, killInitLoop } from '../support/kill-loops.js';
import { killOnRule } from '../support/reliability.js';
import { localState } from '../support/state-modes.js';

const moto = useMoto();
const SEED = 20_260_601;
const RANDOM_KILLS = 10;

describe('kill anywhere: init', () => {
  it(`SIGKILL after every mutating call and at ${RANDOM_KILLS} random moments (seed ${SEED}); a final init converges`, async () => {
    await killInitLoop(moto, { mode: localState, seed: SEED, pick: everyCall, randomKills: RANDOM_KILLS });
  }, 600_000); // 18 kills + 10 random, each a run and a final init: 494 s measured on 2 busy cores
});

/** The calls of the resources the security flags add (the rest is covered above). */
const securityCall = /^(CreateBucket|PutBucket\w+|PutPublicAccessBlock|CreateWebACL|AssociateWebACL|CreateRole|AttachRolePolicy|CreateInstanceProfile|AddRoleToInstanceProfile|ModifyLoadBalancerAttributes)$/;

describe('kill anywhere: init with the security flags', () => {
  const managed = useMoto({ managedPolicies: true }); // --ssm attaches AmazonSSMManagedInstanceCore
  const flags = ['--access-logs', '--waf', '--ssm', '--instance-types', 't3.micro,t3a.micro'];
  it('SIGKILL after each call that makes the log bucket, web ACL, role and profile; a final init converges', async () => {
    await killInitLoop(managed, { mode: localState, seed: SEED, pick: callsMatching(securityCall, 10), randomKills: 0, flags, stack: secureStack });
  }, 600_000);
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
