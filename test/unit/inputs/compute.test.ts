// The compute steps' pure parts: flag parsers, size checks, the ResourceLabel, instance planning,
// ClientTokens, launch template comparison, picking the newest AMI.
import { describe, expect, it } from 'vitest';
import {
  asgNameOf,
  checkSizes,
  initSizeFlags,
  asgSizeFlags,
  launchTemplateVersionOf,
  scalingPolicyOf,
  snsTopicArnOf,
} from '../../../src/inputs/auto-scaling-group.js';
import { amiOf, instanceTypeOf, keyNameOf, launchTemplateNameOf, userDataOf } from '../../../src/inputs/launch-template.js';
import { newestImage } from '../../../src/steps/image.js';
import { clientToken, planInstances, subnetFor, type InstanceInfo } from '../../../src/steps/instances.js';
import { shapeChanges, shapeOf } from '../../../src/steps/launch-template.js';
import { resourceLabel } from '../../../src/steps/scaling-policy.js';
import { usage } from '../../support/usage.js';

describe('launch template flags', () => {
  it.each([
    ['t3.micro', 't3.micro'],
    ['T3.Small', 't3.small'],
    ['m7i-flex.large', 'm7i-flex.large'],
    ['c6gd.16xlarge', 'c6gd.16xlarge'],
    ['u-6tb1.metal', 'u-6tb1.metal'],
  ])('instance type %j', (raw, want) => expect(instanceTypeOf(raw, '--instance-type')).toBe(want));
  it.each(['t3', 't3.', '.micro', 't3 micro', '3t.micro', ''])('rejects instance type %j', (raw) => {
    expect(usage(() => instanceTypeOf(raw, '--instance-type'))).toMatch(/^--instance-type must be an instance type like t3\.micro/);
  });
  it('AMI ids or latest', () => {
    expect(amiOf('ami-0123abcd', '--ami')).toBe('ami-0123abcd');
    expect(amiOf('ami-0123456789abcdef0', '--ami')).toBe('ami-0123456789abcdef0');
    expect(amiOf('LATEST', '--ami')).toBe('latest');
    expect(usage(() => amiOf('ami-xyz', '--ami'))).toMatch(/^--ami must be an AMI id like ami-/);
  });
  it('names, key pairs, user data', () => {
    expect(launchTemplateNameOf('web/v1_(x)', '--name')).toBe('web/v1_(x)');
    expect(usage(() => launchTemplateNameOf('ab', '--name'))).toMatch(/3-128/);
    expect(usage(() => launchTemplateNameOf('a b c', '--name'))).toMatch(/3-128/);
    expect(keyNameOf('ops key', '--key-name')).toBe('ops key');
    expect(keyNameOf('false', '--no-key-name')).toBe('');
    expect(usage(() => keyNameOf('k\u00e9y', '--key-name'))).toMatch(/printable ASCII/);
    expect(userDataOf('default', '--user-data')).toBe('default');
    expect(userDataOf('boot.sh', '--user-data')).toMatch(/^\/.*\/boot\.sh$/);
  });
});

describe('Auto Scaling flags', () => {
  it.each([
    ['$Default', '$Default'],
    ['default', '$Default'],
    ['$LATEST', '$Latest'],
    ['3', '3'],
  ])('version %j', (raw, want) => expect(launchTemplateVersionOf(raw, '--launch-template-version')).toBe(want));
  it.each(['0', '-1', 'v2', '', '$Newest'])('rejects version %j', (raw) => {
    expect(usage(() => launchTemplateVersionOf(raw, '--launch-template-version'))).toMatch(/^--launch-template-version must be \$Default, \$Latest or a version number/);
  });
  it('policies', () => {
    expect(scalingPolicyOf('request-count:100', '--policy')).toEqual({ metric: 'request-count', target: 100 });
    expect(scalingPolicyOf('CPU:42.5', '--policy')).toEqual({ metric: 'cpu', target: 42.5 });
    for (const bad of ['cpu:0', 'cpu:101', 'request-count:0', 'memory:5', 'cpu', 'cpu:-5', 'request-count:1e3']) {
      expect(usage(() => scalingPolicyOf(bad, '--policy')), bad).toMatch(/^--policy must be request-count:<requests per target, 1-1000000> or cpu:<percent, 1-100>/);
    }
  });
  it('SNS topic ARNs', () => {
    expect(snsTopicArnOf('arn:aws:sns:us-east-1:123456789012:alerts', '--notify-topic')).toBe('arn:aws:sns:us-east-1:123456789012:alerts');
    expect(snsTopicArnOf('arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c', '--notify-topic')).toMatch(/a_b-c$/);
    expect(snsTopicArnOf('false', '--no-notify-topic')).toBe('');
    for (const bad of ['arn:aws:sqs:us-east-1:123456789012:q', 'arn:aws:sns:us-east-1:1234:t', 'alerts', 'arn:aws:sns:us-east-1:123456789012:a.fifo']) {
      expect(usage(() => snsTopicArnOf(bad, '--notify-topic')), bad).toMatch(/^--notify-topic must be an SNS topic ARN/);
    }
  });
  it('group names', () => {
    expect(asgNameOf('web_asg.1', '--name')).toBe('web_asg.1');
    expect(usage(() => asgNameOf('a:b', '--name'))).toMatch(/^--name must be a group name/);
  });
  it('min ≤ desired ≤ max, naming the flags of the command', () => {
    expect(() => checkSizes({ minSize: 0, maxSize: 4 }, asgSizeFlags)).not.toThrow();
    expect(() => checkSizes({ minSize: 2, maxSize: 2, desiredCapacity: 2 }, asgSizeFlags)).not.toThrow();
    expect(usage(() => checkSizes({ minSize: 3, maxSize: 2 }, asgSizeFlags))).toBe('--min must not be greater than --max (got --min 3, --max 2)');
    expect(usage(() => checkSizes({ minSize: 1, maxSize: 4, desiredCapacity: 5 }, initSizeFlags))).toBe(
      '--desired-capacity must be between --min-size 1 and --max-size 4 (got 5)',
    );
    expect(usage(() => checkSizes({ minSize: 1, maxSize: 4, desiredCapacity: 0 }, asgSizeFlags))).toMatch(/^--desired must be between/);
  });
});

describe('resourceLabel', () => {
  it('is the tails of the two ARNs', () => {
    expect(
      resourceLabel(
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/50dc6c495c0c9188',
        'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/73e2d6bc24d8a067',
      ),
    ).toBe('app/my-alb/50dc6c495c0c9188/targetgroup/my-tg/73e2d6bc24d8a067');
  });
  it('refuses a network load balancer', () => {
    expect(
      usage(() =>
        resourceLabel(
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/my-nlb/50dc6c495c0c9188',
          'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-tg/73e2d6bc24d8a067',
        ),
      ),
    ).toMatch(/not an Application Load Balancer ARN/);
  });
});

describe('planInstances', () => {
  const inst = (id: string, index: number, state = 'running', launchTime = '2026-01-01T00:00:00.000Z'): InstanceInfo => ({
    id,
    index,
    state,
    az: 'us-east-1a',
    subnetId: 'subnet-1',
    privateIp: null,
    launchTemplateVersion: '1',
    launchTime,
  });
  it('launches the missing indexes', () => {
    expect(planInstances([], 2)).toEqual({ keep: [], start: [], launch: [0, 1], terminate: [], retiring: [] });
    expect(planInstances([inst('i-b', 1)], 3).launch).toEqual([0, 2]);
  });
  it('keeps the oldest of an index, terminates duplicates, indexes past the count (highest first) and untagged strays', () => {
    const p = planInstances(
      [inst('i-new0', 0, 'running', '2026-01-02T00:00:00.000Z'), inst('i-old0', 0), inst('i-1', 1), inst('i-2', 2), inst('i-x', -1)],
      1,
    );
    expect(p.keep.map((i) => i.id)).toEqual(['i-old0']);
    expect(p.terminate.map((i) => i.id)).toEqual(['i-2', 'i-1', 'i-new0', 'i-x']);
    expect(p.launch).toEqual([]);
  });
  it('starts stopped ones it keeps, ignores ones shutting down', () => {
    const p = planInstances([inst('i-0', 0, 'stopped'), inst('i-1', 1, 'shutting-down')], 2);
    expect(p.start.map((i) => i.id)).toEqual(['i-0']);
    expect(p.launch).toEqual([1]);
    expect(p.terminate).toEqual([]);
  });
  it('during a roll keeps the new instance of an index and retires the old one once (a third is a duplicate)', () => {
    const v = (i: InstanceInfo, version: string): InstanceInfo => ({ ...i, launchTemplateVersion: version });
    const old0 = inst('i-old0', 0);
    const new0 = v(inst('i-new0', 0, 'pending', '2026-01-02T00:00:00.000Z'), '2');
    const again0 = v(inst('i-again0', 0, 'running', '2026-01-03T00:00:00.000Z'), '2');
    const old1 = inst('i-old1', 1);
    const isOld = (i: InstanceInfo) => i.launchTemplateVersion === '1';
    const p = planInstances([old0, new0, again0, old1], 2, new Set(['i-old0', 'i-old1']), isOld);
    expect(p.keep.map((i) => i.id)).toEqual(['i-new0', 'i-old1']);
    expect(p.retiring.map((i) => i.id)).toEqual(['i-old0']);
    expect(p.terminate.map((i) => i.id)).toEqual(['i-again0']);
    expect(p.launch).toEqual([]);
    // Without a roll the recorded (old) one stays and the new one is the duplicate.
    expect(planInstances([old0, new0], 1, new Set(['i-old0'])).keep.map((i) => i.id)).toEqual(['i-old0']);
  });
  it('spreads round-robin over the subnets', () => {
    const subnets = ['a', 'b', 'c'].map((az) => ({ id: `subnet-${az}`, az, vpcId: 'vpc-1', cidr: '', defaultForAz: true, public: true }));
    expect([0, 1, 2, 3, 4].map((n) => subnetFor(n, subnets).az)).toEqual(['a', 'b', 'c', 'a', 'b']);
  });
});

describe('clientToken', () => {
  it('is deterministic per index and parameters, changes with either, and fits in 64 characters', () => {
    const params = { SubnetId: 'subnet-1', LaunchTemplate: { LaunchTemplateId: 'lt-1', Version: '$Default' } };
    const t = clientToken('a-stack-name-of-28-characters', 49, params, 0);
    expect(t).toBe(clientToken('a-stack-name-of-28-characters', 49, { ...params }, 0));
    expect(t).not.toBe(clientToken('a-stack-name-of-28-characters', 48, params, 0));
    expect(t).not.toBe(clientToken('a-stack-name-of-28-characters', 49, { ...params, SubnetId: 'subnet-2' }, 0));
    expect(clientToken('a-stack-name-of-28-characters', 49, params, 19)).toBe(`${t}-r19`);
    expect(`${t}-r19`.length).toBeLessThanOrEqual(64);
    expect(t).toMatch(/^[\x21-\x7e]+$/);
  });
});

describe('launch template comparison', () => {
  const data = {
    ImageId: 'ami-1',
    InstanceType: 't3.micro',
    SecurityGroupIds: ['sg-b', 'sg-a'],
    MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 },
    BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', VolumeSize: 8 } }],
    TagSpecifications: [
      { ResourceType: 'instance', Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '1' }] },
      // moto copies the template's own tags in here; they are not compared.
      { ResourceType: 'launch-template', Tags: [{ Key: 'x', Value: 'y' }] },
    ],
    UserData: Buffer.from('#!/bin/bash\n').toString('base64'),
  };
  it('normalises order and types', () => {
    const shape = shapeOf({ ...data, SecurityGroupIds: ['sg-a', 'sg-b'], MetadataOptions: { ...data.MetadataOptions, HttpPutResponseHopLimit: '2' } });
    expect(shapeChanges(shapeOf(data), shape)).toEqual([]);
    expect(shape.instanceTags).toEqual({ a: '1', b: '2' });
  });
  it('says what changes, one sentence each', () => {
    const want = shapeOf({ ...data, InstanceType: 't3.small', KeyName: 'ops', UserData: Buffer.from('#!/bin/bash\necho\n').toString('base64') });
    const got = shapeChanges(shapeOf(data), want);
    expect(got[0]).toBe('instance type: t3.micro → t3.small');
    expect(got[1]).toBe('key pair: (none) → ops');
    expect(got[2]).toMatch(/^user data: sha256 [0-9a-f]{12} → [0-9a-f]{12}$/);
    expect(got).toHaveLength(3);
  });
});

describe('newestImage', () => {
  it('takes the newest x86_64 available image, then the name', () => {
    const img = (ImageId: string, Name: string, CreationDate: string, Architecture = 'x86_64', State = 'available') => ({
      ImageId,
      Name,
      CreationDate,
      Architecture: Architecture as 'x86_64',
      State: State as 'available',
    });
    expect(
      newestImage([
        img('ami-old', 'al2023-ami-2023.5.20240701.0-kernel-6.1-x86_64', '2024-07-01T00:00:00.000Z'),
        img('ami-arm', 'al2023-ami-2023.9.20251101.0-kernel-6.1-arm64', '2025-11-02T00:00:00.000Z', 'arm64'),
        img('ami-new', 'al2023-ami-2023.9.20251101.0-kernel-6.1-x86_64', '2025-11-01T00:00:00.000Z'),
        img('ami-gone', 'al2023-ami-2023.9.20251201.0-kernel-6.1-x86_64', '2025-12-01T00:00:00.000Z', 'x86_64', 'deregistered'),
      ])?.ImageId,
    ).toBe('ami-new');
    expect(newestImage([])).toBeUndefined();
  });
});
