// The roll's next move, walked through whole rolls: never fewer healthy instances than
// min-healthy allows, never more launched than replaced, done when nothing old is left.
import { describe, expect, it } from 'vitest';
import { batchSize, healthyFloor, nextMove, runRoll, type RollUnit } from '../../../src/steps/roll.js';

const u = (id: string, old: boolean, healthy = true): RollUnit => ({ id, old, healthy });

describe('batch size and floor', () => {
  it('at 90 % replaces one at a time up to ten instances, then more', () => {
    expect([1, 2, 5, 10, 11, 20, 40].map((n) => batchSize(n, 90))).toEqual([1, 1, 1, 1, 1, 2, 4]);
    expect([2, 10].map((n) => healthyFloor(n, 90))).toEqual([2, 9]);
  });
  it('at 50 % half at a time; at 100 % and 0 % still progresses', () => {
    expect(batchSize(4, 50)).toBe(2);
    expect(batchSize(4, 100)).toBe(1);
    expect(batchSize(4, 0)).toBe(4);
  });
});

describe('nextMove', () => {
  const o = { capacity: 2, minHealthy: 90, room: Number.POSITIVE_INFINITY };
  it('adds a batch, waits for it, retires as many old ones, and is done when none is old', () => {
    expect(nextMove([u('a', true), u('b', true)], o)).toEqual({ kind: 'add', count: 1 });
    expect(nextMove([u('a', true), u('b', true), u('n1', false, false)], o)).toEqual({ kind: 'wait', ids: ['n1'] });
    expect(nextMove([u('a', true), u('b', true), u('n1', false)], o)).toEqual({ kind: 'retire', count: 1 });
    expect(nextMove([u('b', true), u('n1', false)], o)).toEqual({ kind: 'add', count: 1 });
    expect(nextMove([u('n1', false), u('n2', false)], o)).toEqual({ kind: 'done' });
  });
  it('without room, retires first as far as min-healthy allows, else is stuck', () => {
    const full = { capacity: 4, minHealthy: 50, room: 0 };
    expect(nextMove([u('a', true), u('b', true), u('c', true), u('d', true)], full)).toEqual({ kind: 'retire', count: 2 });
    const stuck = nextMove([u('a', true), u('b', true)], { capacity: 2, minHealthy: 90, room: 0 });
    expect(stuck.kind).toBe('stuck');
  });
  it('fills the room there is before retiring first', () => {
    expect(nextMove([u('a', true), u('b', true), u('c', true), u('d', true)], { capacity: 4, minHealthy: 50, room: 1 })).toEqual({ kind: 'add', count: 1 });
  });
});

describe('runRoll', () => {
  it('rolls 5 instances at 60 % keeping at least 3 healthy at every step, launching exactly 5', async () => {
    let fleet: RollUnit[] = ['a', 'b', 'c', 'd', 'e'].map((id) => u(id, true));
    let launched = 0;
    let lowest = Infinity;
    const watch = () => (lowest = Math.min(lowest, fleet.filter((x) => x.healthy).length));
    await runRoll('test', { capacity: 5, minHealthy: 60 }, {
      look: async () => ({ units: fleet.map((x) => ({ ...x })), room: 7 - fleet.length }),
      add: async (n) => {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) ids.push(`n${++launched}`);
        fleet.push(...ids.map((id) => u(id, false, false)));
        return ids;
      },
      waitHealthy: async (ids) => {
        fleet = fleet.map((x) => (ids.includes(x.id) ? { ...x, healthy: true } : x));
      },
      retire: async (units) => {
        fleet = fleet.filter((x) => !units.some((r) => r.id === x.id));
        watch();
      },
    });
    expect(fleet.every((x) => !x.old)).toBe(true);
    expect(fleet).toHaveLength(5);
    expect(launched).toBe(5);
    expect(lowest).toBeGreaterThanOrEqual(5);
  });
  it('stops when stuck, naming the way out', async () => {
    const ops = {
      look: async () => ({ units: [u('a', true), u('b', true)], room: 0 }),
      add: async () => [],
      waitHealthy: async () => undefined,
      retire: async () => undefined,
    };
    await expect(runRoll('rolling g', { capacity: 2, minHealthy: 90 }, ops)).rejects.toThrow(/rolling g: no room .* raise the maximum, or lower --min-healthy/);
  });
});
