// Kill anywhere, tearing down: `destroy --yes` SIGKILLed right after each of its mutating calls
// reached moto, and at seeded random moments; a final `destroy --yes` must leave nothing tagged
// with the stack, and no state file. (With the state in S3: kill-s3.test.ts.)
import { describe, it } from 'vitest';
import { useMoto } from '../support/harness.js';
import { secureStack } from '../support/census.js';
import { callsMatching, everyCall, killDestroyLoop } from '../support/kill-loops.js';
import { localState } from '../support/state-modes.js';

const moto = useMoto();
const SEED = 20_260_602;
const RANDOM_KILLS = 6;

describe('kill anywhere: destroy', () => {
  it(`SIGKILL after every mutating call and at ${RANDOM_KILLS} random moments (seed ${SEED}); a final destroy leaves nothing`, async () => {
    await killDestroyLoop(moto, { mode: localState, seed: SEED, pick: everyCall, randomKills: RANDOM_KILLS });
  }, 300_000);
});

/** The calls that take down what the security flags add. */
const securityCall = /^(DeleteObjects|DeleteBucket|DisassociateWebACL|DeleteWebACL|DetachRolePolicy|RemoveRoleFromInstanceProfile|DeleteRole|DeleteInstanceProfile|ModifyLoadBalancerAttributes)$/;

describe('kill anywhere: destroy --delete-logs of a stack with the security flags', () => {
  const managed = useMoto({ managedPolicies: true }); // --ssm attaches AmazonSSMManagedInstanceCore
  const buildFlags = ['--access-logs', '--waf', '--ssm', '--instance-types', 't3.micro,t3a.micro'];
  it('SIGKILL after each call that takes down the log bucket, web ACL, role and profile; a final destroy leaves nothing', async () => {
    await killDestroyLoop(managed, { mode: localState, seed: SEED, pick: callsMatching(securityCall, 7), randomKills: 0, flags: ['--delete-logs'], buildFlags, stack: secureStack });
  }, 300_000);
});
