// The Auto Scaling group's instance refresh, albctl's roll engine on AWS, as a CONTRACT test: moto
// answers HTTP 500 to StartInstanceRefresh, DescribeInstanceRefreshes and CancelInstanceRefresh,
// so the fault proxy answers them the way the AWS API reference documents (XML shapes, error
// codes) while every other call reaches moto. It shows what albctl sends, how it polls, adopts a
// refresh already running, and cancels on Ctrl-C; it does not prove AWS behaves as documented,
// and it replaces no instance (docs/architecture.md "Rolling replacement").
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InterruptedError } from '../../src/errors.js';
import { followInstanceRefresh, refreshRequest } from '../../src/steps/asg-instance-refresh.js';
import type { AutoScalingGroupOut } from '../../src/steps/auto-scaling-group.js';
import type { RollRecord } from '../../src/steps/roll.js';
import type { AwsProxy } from '../support/aws-proxy.js';
import { makeContext, tempDir, useMoto, writeStateFile } from '../support/harness.js';

const moto = useMoto();
const ns = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

const xml = (action: string, result: string) =>
  `<${action}Response xmlns="${ns}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></${action}Response>`;

interface Refresh {
  id: string;
  status: string;
  percent?: number;
  toUpdate?: number;
  reason?: string;
}

const describeXml = (refreshes: Refresh[]) =>
  xml(
    'DescribeInstanceRefreshes',
    `<InstanceRefreshes>${refreshes
      .map(
        (r) =>
          `<member><InstanceRefreshId>${r.id}</InstanceRefreshId><AutoScalingGroupName>albctl-asg</AutoScalingGroupName><Status>${r.status}</Status>` +
          `${r.percent !== undefined ? `<PercentageComplete>${r.percent}</PercentageComplete>` : ''}${r.toUpdate !== undefined ? `<InstancesToUpdate>${r.toUpdate}</InstancesToUpdate>` : ''}` +
          `${r.reason ? `<StatusReason>${r.reason}</StatusReason>` : ''}</member>`,
      )
      .join('')}</InstanceRefreshes>`,
  );

/** The proxy answers the refresh calls: Start gives `ir-new`; Describe by id walks `steps`, by group lists `running`. */
function answerRefreshes(proxy: AwsProxy, o: { running?: Refresh[]; steps: Refresh[]; onDescribe?: (n: number) => void }): { bodies: Record<string, string[]> } {
  const bodies: Record<string, string[]> = {};
  const seen = (action: string, body: string) => (bodies[action] ??= []).push(decodeURIComponent(body.replace(/\+/g, ' ')));
  let n = 0;
  proxy.rules.push(
    {
      action: 'StartInstanceRefresh',
      times: 100,
      reply: (body) => {
        seen('StartInstanceRefresh', body);
        return { body: xml('StartInstanceRefresh', '<InstanceRefreshId>ir-new</InstanceRefreshId>') };
      },
    },
    {
      action: 'DescribeInstanceRefreshes',
      times: 1000,
      reply: (body) => {
        seen('DescribeInstanceRefreshes', body);
        if (!/InstanceRefreshIds/.test(body)) return { body: describeXml(o.running ?? []) };
        o.onDescribe?.(n);
        const step = o.steps[Math.min(n++, o.steps.length - 1)]!;
        return { body: describeXml([step]) };
      },
    },
    {
      action: 'CancelInstanceRefresh',
      times: 100,
      reply: (body) => {
        seen('CancelInstanceRefresh', body);
        return { body: xml('CancelInstanceRefresh', '<InstanceRefreshId>ir-new</InstanceRefreshId>') };
      },
    },
  );
  return { bodies };
}

const group = {
  name: 'albctl-asg',
  arn: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/albctl-asg',
  launchTemplate: { id: 'lt-0123456789abcdef0', name: 'albctl-lt', version: '$Default' },
  desiredCapacity: 2,
} as AutoScalingGroupOut;

/** Only the refresh calls are made, all answered by the proxy: the state holds the group, as albctl records it. */
async function stack(): Promise<{ dir: string; group: AutoScalingGroupOut }> {
  const dir = await tempDir();
  const at = new Date().toISOString();
  await writeStateFile(path.join(dir, 'albctl.json'), moto.url, {
    autoScalingGroup: { kind: 'AWS::AutoScaling::AutoScalingGroup', id: group.arn, name: group.name, status: 'created', createdAt: at, updatedAt: at, outputs: group },
  });
  return { dir, group };
}

const roll = (reason: RollRecord['reason'] = 'version'): RollRecord => ({
  reason,
  toVersion: 2,
  replace: ['i-0000000000000000a', 'i-0000000000000000b'],
  capacity: 2,
  startedAt: '2026-01-01T00:00:00.000Z',
});

async function context(dir: string, proxy: AwsProxy) {
  const t = await makeContext({ endpoint: proxy.url, dir });
  // Recorded as the roll would record it before starting.
  const rec = t.state.resource('autoScalingGroup')!;
  await t.state.markCreated('autoScalingGroup', rec.kind, { id: rec.id, name: rec.name, outputs: { ...rec.outputs, roll: roll() } });
  return t;
}

describe('instance refresh (contract: the proxy answers as the AWS API reference documents)', () => {
  it('starts one with min-healthy, warm-up and skip matching, records its id, and follows it to Successful', async () => {
    const { dir, group } = await stack();
    const proxy = await moto.proxy();
    const { bodies } = answerRefreshes(proxy, {
      steps: [
        { id: 'ir-new', status: 'Pending', percent: 0, toUpdate: 2 },
        { id: 'ir-new', status: 'InProgress', percent: 50, toUpdate: 1 },
        { id: 'ir-new', status: 'Successful', percent: 100, toUpdate: 0 },
      ],
    });
    const t = await context(dir, proxy);
    await followInstanceRefresh(t.ctx, group, roll());
    t.aws.destroy();
    expect(bodies.StartInstanceRefresh).toHaveLength(1);
    const start = bodies.StartInstanceRefresh![0]!;
    for (const field of [
      'AutoScalingGroupName=albctl-asg',
      'Strategy=Rolling',
      'DesiredConfiguration.LaunchTemplate.LaunchTemplateId=lt-0123456789abcdef0',
      'DesiredConfiguration.LaunchTemplate.Version=$Default',
      'Preferences.MinHealthyPercentage=90',
      'Preferences.MaxHealthyPercentage=190',
      'Preferences.InstanceWarmup=120',
      'Preferences.SkipMatching=true',
      'Preferences.AutoRollback=false',
    ]) {
      expect(start.split('&'), field).toContain(field);
    }
    expect(refreshRequest(t.ctx, group, roll('refresh')).Preferences.SkipMatching).toBe(false);
    const lines = t.ui.lines().filter((l) => l.includes('instance refresh ir-new'));
    expect(lines.map((l) => l.replace(/^.*ir-new: /, ''))).toEqual([
      'Pending 0%, 2 instance(s) to update',
      'InProgress 50%, 1 instance(s) to update',
      'Successful 100%, 0 instance(s) to update',
    ]);
    expect((t.state.resource('autoScalingGroup')!.outputs.roll as RollRecord).instanceRefreshId).toBe('ir-new');
  });

  it('adopts a refresh already running (a killed run started it) instead of starting another, also when Start says InstanceRefreshInProgress', async () => {
    const { dir, group } = await stack();
    const proxy = await moto.proxy();
    const { bodies } = answerRefreshes(proxy, {
      running: [{ id: 'ir-old', status: 'InProgress', percent: 50 }],
      steps: [{ id: 'ir-old', status: 'Successful', percent: 100 }],
    });
    const t = await context(dir, proxy);
    await followInstanceRefresh(t.ctx, group, roll());
    expect(bodies.StartInstanceRefresh).toBeUndefined();
    expect(bodies.DescribeInstanceRefreshes!.some((b) => b.includes('InstanceRefreshIds.member.1=ir-old'))).toBe(true);
    t.aws.destroy();

    // The refresh is not listed yet (eventual consistency), but Start refuses: adopt what it lists next.
    const proxy2 = await moto.proxy();
    let listed = 0;
    proxy2.rules.push({ action: 'StartInstanceRefresh', error: { status: 400, code: 'InstanceRefreshInProgress', message: 'An Instance Refresh is already in progress' } });
    proxy2.rules.push({
      action: 'DescribeInstanceRefreshes',
      times: 100,
      reply: (body) =>
        /InstanceRefreshIds/.test(body) || listed++ > 0
          ? { body: describeXml([{ id: 'ir-late', status: /InstanceRefreshIds/.test(body) ? 'Successful' : 'InProgress', percent: 100 }]) }
          : { body: describeXml([]) },
    });
    const t2 = await context(dir, proxy2);
    await followInstanceRefresh(t2.ctx, group, roll());
    expect((t2.state.resource('autoScalingGroup')!.outputs.roll as RollRecord).instanceRefreshId).toBe('ir-late');
    t2.aws.destroy();
  });

  it('Ctrl-C cancels the refresh (CancelInstanceRefresh) and stops as interrupted', async () => {
    const { dir, group } = await stack();
    const proxy = await moto.proxy();
    const abort = new AbortController();
    const { bodies } = answerRefreshes(proxy, {
      steps: [{ id: 'ir-new', status: 'InProgress', percent: 10, toUpdate: 2 }],
      onDescribe: (n) => {
        if (n === 1) setTimeout(() => abort.abort(), 5);
      },
    });
    const t = await context(dir, proxy);
    await expect(followInstanceRefresh({ ...t.ctx, signal: abort.signal }, group, roll())).rejects.toBeInstanceOf(InterruptedError);
    expect(bodies.CancelInstanceRefresh).toEqual(['Action=CancelInstanceRefresh&Version=2011-01-01&AutoScalingGroupName=albctl-asg']);
    expect(t.ui.events.find((e) => e.kind === 'warn')?.text).toMatch(/cancelling instance refresh ir-new of albctl-asg/);
    t.aws.destroy();
  });

  it('a failed refresh is an error naming its reason; the recorded id is dropped so a re-run starts another', async () => {
    const { dir, group } = await stack();
    const proxy = await moto.proxy();
    answerRefreshes(proxy, { steps: [{ id: 'ir-new', status: 'Failed', percent: 50, reason: 'Instances failed to launch' }] });
    const t = await context(dir, proxy);
    await expect(followInstanceRefresh(t.ctx, group, roll())).rejects.toThrow(/instance refresh ir-new of albctl-asg ended Failed 50% \(Instances failed to launch\)/);
    expect((t.state.resource('autoScalingGroup')!.outputs.roll as RollRecord).instanceRefreshId).toBeUndefined();
    t.aws.destroy();
  });
});
