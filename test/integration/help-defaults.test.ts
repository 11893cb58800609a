// Every default a help page shows is the one the command uses. For every command, every flag whose
// help line states a default is matched to its question (by the help line the question renders),
// then the command runs with --yes against moto and the state must record exactly that value.
// Defaults only AWS knows ("the default VPC") are checked against what was built.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { helpDefault, helpLine, showDefault } from '../../src/commands/options.js';
import { allQuestions } from '../../src/inputs/all.js';
import { flagOf, type Question } from '../../src/inputs/question.js';
import { helpOptions } from '../support/help.js';
import { tempDir, useMoto, type MotoBed } from '../support/harness.js';

const moto = useMoto();
const stack = 'albctl';

type Outputs = Record<string, Record<string, unknown>>;
interface Built {
  inputs: Record<string, unknown>;
  out: Outputs;
}

/** The flags whose help states a default, each with the question that renders that help line. */
async function shownDefaults(command: string, dir: string): Promise<{ q: Question; flag: string; shown: string }[]> {
  const help = await moto.cli([command, '--help'], dir);
  const defaultsOf = command === 'sandbox' ? 'init' : command;
  // A command spells a flag its short way or, where that would be ambiguous, as init does (`https --cert-name`).
  const spelled = (x: Question) => [flagOf(x, 'init'), ...(defaultsOf === 'init' ? [] : [flagOf(x, 'command')])];
  return helpOptions(help.stdout).flatMap((item) => {
    if (item.shownDefault === undefined) return [];
    const q = allQuestions.find((x) => spelled(x).includes(item.flag) && helpLine(x, defaultsOf) === item.description);
    expect(q, `${command} ${item.flag}: "${item.description}" is no question's help line`).toBeDefined();
    return [{ q: q!, flag: item.flag, shown: item.shownDefault }];
  });
}

async function built(dir: string): Promise<Built> {
  const state = JSON.parse(await readFile(path.join(dir, '.albctl', `${stack}.json`), 'utf8'));
  const out = Object.fromEntries(Object.entries(state.resources as Record<string, { outputs: Record<string, unknown> }>).map(([id, r]) => [id, r.outputs]));
  return { inputs: state.inputs, out };
}

/** Defaults AWS decides (help says what, not a value): what the build shows for each. */
const decided: Record<string, (b: Built, m: MotoBed) => Promise<void> | void> = {
  vpc: async (b, m) => {
    expect(b.inputs.vpc).toBeUndefined();
    expect(b.out.targetGroup!.vpcId).toBe((await m.network()).vpcId);
  },
  // Shown by `alb` and `init`, which build the load balancer: one subnet per AZ, in 2 or 3 AZs.
  subnets: (b) => {
    expect(b.out.loadBalancer, '--subnets shown by a command that built no load balancer').toBeDefined();
    const azs = b.out.loadBalancer!.availabilityZones as string[];
    expect(azs.length).toBeGreaterThanOrEqual(2);
    expect(azs.length).toBeLessThanOrEqual(3);
    expect(b.out.loadBalancer!.subnets as string[]).toHaveLength(azs.length);
  },
  certCn: (b) => expect(b.out.certificateFiles!.cn).toBe(b.out.loadBalancer!.dnsName),
  certSan: (b) => expect(b.out.certificateFiles!.san).toEqual([b.out.loadBalancer!.dnsName]),
  certificateName: (b) => expect(b.inputs.certificateName).toMatch(new RegExp(`^${stack}-cert-\\d{12}$`)),
  certificate: (b) => expect(b.out.httpsListener!.certificateArn).toBe(b.out.serverCertificate!.arn),
  notifyTopic: (b) => expect(b.inputs.notifyTopic).toBeUndefined(),
  keyName: (b) => expect(b.out.launchTemplate!.keyName).toBeNull(),
  asgSubnets: (b) => expect([...(b.out.autoScalingGroup!.subnetIds as string[])].sort()).toEqual([...(b.out.loadBalancer!.subnets as string[])].sort()),
  desiredCapacity: (b) => expect(b.out.autoScalingGroup!.desiredCapacity).toBe(b.out.autoScalingGroup!.minSize),
  ami: (b) => expect(b.inputs.ami).toBe(b.out.launchTemplate!.imageId),
  instanceSecurityGroups: (b) => expect(b.out.launchTemplate!.securityGroupIds).toEqual([b.out.webSecurityGroup!.groupId]),
  volumeSize: async (b, m) => {
    const image = (await m.client(EC2Client).send(new DescribeImagesCommand({ ImageIds: [b.inputs.ami as string] }))).Images![0]!;
    const root = image.BlockDeviceMappings!.find((d) => d.DeviceName === image.RootDeviceName)!;
    expect((b.out.launchTemplate!.rootVolume as { size: number }).size).toBe(root.Ebs!.VolumeSize);
  },
};

async function expectDefaultsUsed(command: string, dir: string): Promise<number> {
  const shown = await shownDefaults(command, dir);
  const b = await built(dir);
  for (const { q, flag, shown: text } of shown) {
    if (q.defaultHelp !== undefined) {
      expect(decided[q.key], `${command} --help: add a check of "${text}" (${q.key}) to this test`).toBeDefined();
      await decided[q.key]!(b, moto);
    } else {
      expect(showDefault(q, b.inputs[q.key]), `${command} ${flag}`).toBe(text.replaceAll('<stack>', stack));
    }
  }
  return shown.length;
}

describe('the defaults help shows are the ones the commands use', () => {
  it('every step command, built one after the other as the console walkthrough does', async () => {
    const dir = await tempDir();
    const steps: [string, ...string[]][] = [
      ['target-group'],
      ['alb'],
      ['cert', '--upload'],
      ['https'],
      ['sticky'],
      ['launch-template'],
      ['asg'],
      ['instances'],
    ];
    let checked = 0;
    for (const [command, ...flags] of steps) {
      const r = await moto.cli([command, ...flags, '--yes'], dir);
      expect(r.code, `${command}: ${r.stderr}`).toBe(0);
      checked += await expectDefaultsUsed(command, dir);
    }
    expect(checked).toBeGreaterThan(40);
  }, 240_000);

  it('init (the wizard with --yes), and the sandbox shows the same defaults as init', async () => {
    const dir = await tempDir();
    const r = await moto.cli(['init', '--yes'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(await expectDefaultsUsed('init', dir)).toBeGreaterThan(40);
    const init = new Map((await shownDefaults('init', dir)).map((d) => [d.q.key, d.shown]));
    const sandbox = await shownDefaults('sandbox', dir);
    expect(sandbox.length).toBeGreaterThan(40);
    for (const d of sandbox) expect(d.shown, d.q.key).toBe(init.get(d.q.key));
    // The default the issue found wrong: init builds request-count:100, and now says so.
    expect(init.get('scalingPolicy')).toBe('request-count:100');
    expect(helpDefault(allQuestions.find((q) => q.key === 'scalingPolicy')!, 'asg')).toBe('cpu:50');
  }, 240_000);
});
