// Rolling replacement, as albctl runs it: replace a fleet's old instances (launched from an older
// launch template version, or all of them for --refresh) in batches, never with fewer in service
// than --min-healthy allows: launch a batch of new ones, wait until they are healthy, drain and
// terminate as many old ones, again. Every move is decided from what AWS holds now plus the roll
// recorded in the state, so a run killed anywhere resumes it and never launches twice.
import { RuntimeError } from '../errors.js';
import type { Ctx } from '../engine/context.js';

/** The roll in progress, recorded in the state (in the rolled resource's outputs) before it changes anything. */
export interface RollRecord {
  /** Why: the template's default version changed, or --refresh. */
  reason: 'version' | 'refresh';
  /** The launch template version the new instances are launched from. */
  toVersion: number;
  /** The instances to replace (those that existed when the roll began, older than toVersion or all of them). */
  replace: string[];
  /** How many instances the fleet serves with; the roll keeps at least ⌈capacity × minHealthy⌉ in service. */
  capacity: number;
  startedAt: string;
  /** The Auto Scaling group's instance refresh (on AWS), once started. */
  instanceRefreshId?: string;
}

/** An instance of the fleet as the roll sees it. */
export interface RollUnit {
  id: string;
  /** To be replaced (old version, or in the recorded replace list). */
  old: boolean;
  healthy: boolean;
}

export type Move =
  | { kind: 'done' }
  | { kind: 'wait'; ids: string[] }
  | { kind: 'add'; count: number }
  | { kind: 'retire'; count: number }
  | { kind: 'stuck'; why: string };

/** In service at all times during a roll: ⌈capacity × minHealthy / 100⌉. */
export function healthyFloor(capacity: number, minHealthy: number): number {
  return Math.ceil((capacity * minHealthy) / 100);
}

/** How many instances a batch replaces: what min-healthy lets go out of service, at least one. */
export function batchSize(capacity: number, minHealthy: number): number {
  return Math.max(1, capacity - healthyFloor(capacity, minHealthy));
}

/**
 * The next move of a roll, from the fleet as it is now. New instances first wait until healthy;
 * old ones are retired only while as many healthy instances as `capacity` stay; new ones are
 * added a batch at a time, into `room` (an Auto Scaling group's maximum); without room, old ones
 * go first as far as min-healthy allows. Pure: the tests walk it through every state.
 */
export function nextMove(units: readonly RollUnit[], o: { capacity: number; minHealthy: number; room: number }): Move {
  const old = units.filter((u) => u.old);
  const fresh = units.filter((u) => !u.old);
  if (old.length === 0) return { kind: 'done' };
  const warming = fresh.filter((u) => !u.healthy).map((u) => u.id);
  if (warming.length) return { kind: 'wait', ids: warming };
  const retirable = fresh.length + old.length - o.capacity;
  if (retirable > 0) return { kind: 'retire', count: Math.min(retirable, old.length) };
  const want = Math.min(batchSize(o.capacity, o.minHealthy), old.length);
  if (o.room > 0) return { kind: 'add', count: Math.min(want, o.room) };
  // No room for a new instance: old ones go first, as far as min-healthy allows.
  const inService = units.filter((u) => u.healthy).length;
  const canGo = Math.min(want, inService - healthyFloor(o.capacity, o.minHealthy));
  if (canGo > 0) return { kind: 'retire', count: canGo };
  return {
    kind: 'stuck',
    why: `no room for a new instance (the group is at its maximum) and --min-healthy ${o.minHealthy} keeps all ${inService} in service`,
  };
}

export interface RollOps {
  /** The fleet now. */
  look(): Promise<{ units: RollUnit[]; room: number }>;
  /** Launch `count` new instances from the new version and put them into service (registered or attached); their ids. */
  add(count: number): Promise<string[]>;
  waitHealthy(ids: string[]): Promise<void>;
  /** Drain and terminate these old instances. */
  retire(units: RollUnit[]): Promise<void>;
}

/** Drive a roll to its end: at most a few moves per instance, each decided from the fleet as it is. */
export async function runRoll(what: string, o: { capacity: number; minHealthy: number }, ops: RollOps): Promise<void> {
  let budget = 8 * (o.capacity + 2);
  for (;;) {
    if (budget-- <= 0) throw new RuntimeError(`${what}: the roll made no progress; run the command again, or see \`albctl status\``);
    const { units, room } = await ops.look();
    const move = nextMove(units, { ...o, room });
    if (move.kind === 'done') return;
    if (move.kind === 'stuck') throw new RuntimeError(`${what}: ${move.why}: raise the maximum, or lower --min-healthy`);
    if (move.kind === 'wait') await ops.waitHealthy(move.ids);
    if (move.kind === 'add') await ops.waitHealthy(await ops.add(move.count));
    if (move.kind === 'retire') await ops.retire(units.filter((u) => u.old).slice(0, move.count));
  }
}

/**
 * Record (or, with null, clear) the roll in the rolled resource's outputs, through the state's
 * public API, before the next change: a re-run finds what is being replaced.
 */
export async function recordRoll(ctx: Ctx, stepId: string, roll: RollRecord | null): Promise<void> {
  const rec = ctx.state.resource(stepId);
  if (!rec || rec.status !== 'created') return;
  const { roll: _previous, ...outputs } = rec.outputs;
  await ctx.state.markCreated(stepId, rec.kind, { id: rec.id, name: rec.name, outputs: roll ? { ...outputs, roll } : outputs });
}

/** The roll the state records for this step, if one is in progress. */
export function recordedRoll(ctx: Ctx, stepId: string): RollRecord | undefined {
  const roll = ctx.state.resource(stepId)?.outputs?.roll;
  return roll && typeof roll === 'object' ? (roll as RollRecord) : undefined;
}

/** "one at a time" or "2 at a time", and the floor, for plans and progress. */
export function rollPace(capacity: number, minHealthy: number): string {
  const b = batchSize(capacity, minHealthy);
  return `${b === 1 ? 'one' : b} at a time, at least ${healthyFloor(capacity, minHealthy)} of ${capacity} in service (--min-healthy ${minHealthy})`;
}
