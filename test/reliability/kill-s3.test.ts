// Kill anywhere with the state in S3 (moto's), the loops of kill-init and kill-destroy on a
// representative subset: a full loop there is ~45 kills for init and ~40 for destroy, every state
// write being an S3 call, which would add minutes. Killed: right after the lock is taken; after
// CreateTargetGroup; after the state write that follows CreateLoadBalancer; after
// UploadServerCertificate; after the last resource's state write and after the outcome's (between
// them the next init has nothing to build and must still record "done"); for destroy after the
// lock, DeleteLoadBalancer and the state object's deletion (the lock not yet); and at random
// moments. The lock a killed run left must be explained by the next run and broken with
// `albctl unlock --force`, never silently (test/support/state-modes.ts).
import { describe, expect, it } from 'vitest';
import { useMoto } from '../support/harness.js';
import { killDestroyLoop, killInitLoop } from '../support/kill-loops.js';
import { s3State } from '../support/state-modes.js';

const moto = useMoto();

const initKills = (calls: string[]) => {
  const at = (action: string) => calls.indexOf(action) + 1;
  const outcome = calls.lastIndexOf('PutObject');
  return [1, at('CreateTargetGroup'), at('CreateLoadBalancer') + 1, at('UploadServerCertificate'), calls.lastIndexOf('PutObject', outcome - 1) + 1, outcome + 1];
};
const destroyKills = (calls: string[]) => [1, calls.indexOf('DeleteLoadBalancer') + 1, calls.lastIndexOf('DeleteObject', calls.lastIndexOf('DeleteObject') - 1) + 1];

describe('kill anywhere, state in S3', () => {
  it('init: SIGKILL after the lock, creates and state writes, and at 2 random moments (seed 20260601); a final init converges', async () => {
    await killInitLoop(moto, { mode: s3State(moto), seed: 20_260_601, pick: initKills, randomKills: 2 });
  }, 300_000);

  it('destroy: SIGKILL after the lock, DeleteLoadBalancer and the state\'s deletion, and at 1 random moment (seed 20260602); a final destroy leaves nothing', async () => {
    await killDestroyLoop(moto, { mode: s3State(moto), seed: 20_260_602, pick: destroyKills, randomKills: 1 });
  }, 300_000);

  it('the picks land on the intended calls of a sample call list', () => {
    expect(initKills(['PutObject', 'CreateTargetGroup', 'CreateLoadBalancer', 'PutObject', 'UploadServerCertificate', 'PutObject', 'PutObject', 'DeleteObject'])).toEqual([1, 2, 4, 5, 6, 7]);
    expect(destroyKills(['PutObject', 'DeleteLoadBalancer', 'DeleteObject', 'DeleteObject'])).toEqual([1, 2, 3]);
  });
});
