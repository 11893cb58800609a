// Kill anywhere, tearing down: `destroy --yes` SIGKILLed right after each of its mutating calls
// reached moto, and at seeded random moments; a final `destroy --yes` must leave nothing tagged
// with the stack, and no state file. (With the state in S3: kill-s3.test.ts.)
import { describe, it } from 'vitest';
import { useMoto } from '../support/harness.js';
import { everyCall, killDestroyLoop } from '../support/kill-loops.js';
import { localState } from '../support/state-modes.js';

const moto = useMoto();
const SEED = 20_260_602;
const RANDOM_KILLS = 6;

describe('kill anywhere: destroy', () => {
  it(`SIGKILL after every mutating call and at ${RANDOM_KILLS} random moments (seed ${SEED}); a final destroy leaves nothing`, async () => {
    await killDestroyLoop(moto, { mode: localState, seed: SEED, pick: everyCall, randomKills: RANDOM_KILLS });
  }, 300_000);
});
