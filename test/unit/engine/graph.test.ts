import { describe, expect, it } from 'vitest';
import { reversed, runGraph, topoOrder } from '../../../src/engine/graph.js';
import { InterruptedError } from '../../../src/errors.js';

const nodes = [
  { id: 'network', needs: [] },
  { id: 'targetGroup', needs: ['network'] },
  { id: 'albSecurityGroup', needs: ['network'] },
  { id: 'loadBalancer', needs: ['network', 'albSecurityGroup'] },
  { id: 'httpListener', needs: ['loadBalancer', 'targetGroup'] },
];

describe('graph', () => {
  it('orders dependencies first, stably', () => {
    expect(topoOrder(nodes)).toEqual(['network', 'targetGroup', 'albSecurityGroup', 'loadBalancer', 'httpListener']);
  });

  it('reverses for destroy: dependents first', () => {
    const order = topoOrder(reversed(nodes));
    expect(order.indexOf('httpListener')).toBeLessThan(order.indexOf('targetGroup'));
    expect(order.indexOf('loadBalancer')).toBeLessThan(order.indexOf('albSecurityGroup'));
    expect(order.at(-1)).toBe('network');
  });

  it('ignores needs outside the set and refuses cycles', () => {
    expect(topoOrder([{ id: 'a', needs: ['outside'] }])).toEqual(['a']);
    expect(() => topoOrder([{ id: 'a', needs: ['b'] }, { id: 'b', needs: ['a'] }])).toThrow(/cycle/);
  });

  it('runs independent nodes in parallel and respects needs', async () => {
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    await runGraph(nodes, async (id) => {
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${id}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`end ${id}`);
      running--;
    });
    expect(peak).toBe(2); // targetGroup and albSecurityGroup together
    expect(log.indexOf('end loadBalancer')).toBeLessThan(log.indexOf('start httpListener'));
    expect(log.indexOf('end targetGroup')).toBeLessThan(log.indexOf('start httpListener'));
  });

  it('after a failure starts nothing new, lets running nodes finish, throws the first error', async () => {
    const finished: string[] = [];
    const err = await runGraph(nodes, async (id) => {
      if (id === 'targetGroup') throw new Error('boom');
      await new Promise((r) => setTimeout(r, 20));
      finished.push(id);
    }).catch((e: Error) => e);
    expect((err as Error).message).toBe('boom');
    expect(finished).toContain('albSecurityGroup');
    expect(finished).not.toContain('httpListener');
  });

  it('stops on abort with InterruptedError', async () => {
    const abort = new AbortController();
    const started: string[] = [];
    const err = await runGraph(
      nodes,
      async (id) => {
        started.push(id);
        abort.abort();
      },
      abort.signal,
    ).catch((e) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(started).toEqual(['network']);
  });
});

describe('the step registry', () => {
  it('lists every step below the steps it needs, each once', async () => {
    const { allSteps } = await import('../../../src/steps/graph.js');
    const seen = new Set<string>();
    for (const step of allSteps) {
      expect(step.needs.filter((id) => !seen.has(id)), `${step.id} needs steps listed after it`).toEqual([]);
      expect(seen.has(step.id), `${step.id} is listed twice`).toBe(false);
      seen.add(step.id);
    }
  });
});
