// `albctl sticky` against moto: lb_cookie stickiness on the target group, durations valid and
// not, --disable, read back from AWS; destroy.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { destroyAll } from '../../src/engine/destroy.js';
import { registry } from '../../src/steps/graph.js';
import { edgeQueries, errorLines, mutatingCalls } from '../support/edge.js';
import { makeContext, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();
const q = edgeQueries(moto);

async function stickinessOf(): Promise<Record<string, string>> {
  const [tg] = await q.targetGroups();
  const a = await q.targetGroupAttributes(tg!.TargetGroupArn!);
  return { enabled: a['stickiness.enabled']!, type: a['stickiness.type']!, seconds: a['stickiness.lb_cookie.duration_seconds']! };
}

describe('albctl sticky', () => {
  it('needs the target group first', async () => {
    const dir = await tempDir();
    const res = await moto.cli(['sticky', '-v'], dir);
    expect(res.code).toBe(2);
    expect(errorLines(res.stderr)).toEqual([expect.stringMatching(/this needs the target group, .* run `albctl target-group` first$/)]);
    expect(mutatingCalls(res.stderr)).toEqual([]);
  });

  it('turns on lb_cookie stickiness (1d by default), converges durations, --disable, and reads back', async () => {
    const dir = await tempDir();
    expect((await moto.cli(['target-group'], dir)).code).toBe(0);
    const res = await moto.cli(['sticky', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(await stickinessOf()).toEqual({ enabled: 'true', type: 'lb_cookie', seconds: '86400' });
    const doc = JSON.parse(res.stdout);
    expect(doc.stickiness).toMatchObject({ enabled: true, type: 'lb_cookie', durationSeconds: 86400, targetGroupName: 'albctl-tg' });
    expect(doc.actions[0]).toMatchObject({ step: 'stickiness', action: 'update', changes: ['stickiness: off → lb_cookie for 1d (86400s)'] });
    expect(res.stderr).toContain('stickiness on albctl-tg: lb_cookie for 1d (86400s)');

    expect((await moto.cli(['sticky'], dir)).stderr).toContain('nothing to do');

    for (const [given, seconds] of [['90s', 90], ['15m', 900], ['12h', 43200], ['7d', 604800], ['1', 1], ['3600', 3600]] as const) {
      const r = await moto.cli(['sticky', '--duration', given], dir);
      expect(r.code, `${given}: ${r.stderr}`).toBe(0);
      expect((await stickinessOf()).seconds, given).toBe(String(seconds));
    }

    const off = await moto.cli(['sticky', '--disable', '--json'], dir);
    expect(off.code, off.stderr).toBe(0);
    expect((await stickinessOf()).enabled).toBe('false');
    expect(JSON.parse(off.stdout).stickiness).toMatchObject({ enabled: false });
    expect(off.stderr).toContain('stickiness on albctl-tg: off');
    // --disable is not saved: a bare `sticky` turns it on again, with the saved duration.
    expect((await moto.cli(['sticky'], dir)).code).toBe(0);
    expect(await stickinessOf()).toEqual({ enabled: 'true', type: 'lb_cookie', seconds: '3600' });

    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout).resources as { resource: string; state: string; detail: string }[];
    expect(status.find((r) => r.resource === 'stickiness')).toMatchObject({ state: 'on', detail: 'lb_cookie for 1h (3600s)' });

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await q.targetGroups()).toEqual([]);
  });

  it('refuses durations outside 1s..7d and anything that is not one, naming --duration', async () => {
    const dir = await tempDir();
    expect((await moto.cli(['target-group'], dir)).code).toBe(0);
    for (const bad of ['0', '0s', '8d', '604801', '169h', '1w', 'abc', '-5', '1.5h', '']) {
      const res = await moto.cli(['sticky', '--duration', bad, '-v'], dir);
      expect(res.code, `${bad}: ${res.stderr}`).toBe(2);
      expect(errorLines(res.stderr), bad).toEqual([
        `albctl: --duration must be a duration from 1s to 7d (like 90s, 15m, 12h, 1d, or seconds) (got ${JSON.stringify(bad)})`,
      ]);
      expect(mutatingCalls(res.stderr)).toEqual([]);
    }
    const both = await moto.cli(['sticky', '--duration', '1h', '--disable'], dir);
    expect(both.code).toBe(2);
    expect(errorLines(both.stderr)).toEqual(['albctl: --duration and --disable contradict each other: pass one']);
    expect((await stickinessOf()).enabled).toBe('false');
  });

  it('destroy: nothing to delete with the target group; stickiness turned off when the target group stays', async () => {
    const dir = await tempDir();
    expect((await moto.cli(['target-group'], dir)).code).toBe(0);
    expect((await moto.cli(['sticky', '--duration', '15m'], dir)).code).toBe(0);
    // The state without its target group (say, the group belongs to another stack's state).
    const t = await makeContext({ endpoint: moto.url, dir: path.join(dir, '.albctl') });
    await t.state.forget('targetGroup');
    const items = await destroyAll(t.ctx, registry);
    expect(items).toEqual([expect.objectContaining({ step: 'stickiness', action: 'delete' })]);
    expect(await stickinessOf()).toMatchObject({ enabled: 'false' });
    expect(await q.targetGroups()).toHaveLength(1);
  });
});
