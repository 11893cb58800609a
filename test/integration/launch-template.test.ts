// `albctl launch-template` through the built CLI against moto: create → re-run → converge → destroy,
// the user data, the AMI lookup (SSM, then DescribeImages), bad input.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateKeyPairCommand, CreateSecurityGroupCommand, DescribeLaunchTemplatesCommand, DescribeLaunchTemplateVersionsCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { al2023Parameter, image } from '../../src/steps/image.js';
import { defaultUserData } from '../../src/webserver/user-data.js';
import { awsEnv, makeContext, runCli, tempDir, useMoto, writeStateFile } from '../support/harness.js';

const moto = useMoto();
async function securityGroup(name = 'web'): Promise<string> {
  const { vpcId } = await moto.network();
  const out = await moto.client(EC2Client).send(new CreateSecurityGroupCommand({ GroupName: name, Description: name, VpcId: vpcId }));
  return out.GroupId!;
}

async function templates() {
  return (await moto.client(EC2Client).send(new DescribeLaunchTemplatesCommand({}))).LaunchTemplates ?? [];
}

async function version(v: string) {
  const out = await moto
    .client(EC2Client)
    .send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'albctl-lt', Versions: [v] }));
  return out.LaunchTemplateVersions![0]!;
}

/** --verbose logs every AWS call: the ones that are not reads. */
function mutatingCalls(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('aws ') && !/\.(Describe|Get|List)\w+ /.test(l));
}

describe('albctl launch-template', () => {
  it('--print-user-data prints the sample server without AWS or any file', async () => {
    const dir = await tempDir();
    // An endpoint nobody listens on: any AWS call would fail.
    const env = { ...awsEnv('http://127.0.0.1:9'), AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
    const res = await runCli(['launch-template', '--print-user-data', '-v'], { cwd: dir, env });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe(defaultUserData({ port: 8080 }));
    expect(res.stdout).toMatch(/^#!\/bin\/bash\n/);
    expect(res.stderr).not.toMatch(/^aws /m);
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);

    const script = path.join(dir, 'boot.sh');
    await writeFile(script, '#!/bin/bash\necho hello\n');
    const own = await runCli(['launch-template', '--print-user-data', '--user-data', script, '--json'], { cwd: dir, env });
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout)).toMatchObject({ source: script, userData: '#!/bin/bash\necho hello\n' });
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);
  });

  it('creates the template, a bare re-run changes nothing, a changed flag makes a new default version, destroy removes it', async () => {
    const dir = await tempDir();
    const sg = await securityGroup();
    const created = await moto.cli(['launch-template', '--security-groups', sg, '--tags', 'team=web', '--json'], dir);
    expect(created.code, created.stderr).toBe(0);
    const doc = JSON.parse(created.stdout);
    expect(doc.actions).toEqual([expect.objectContaining({ step: 'launchTemplate', action: 'create', name: 'albctl-lt' })]);

    // moto serves the public SSM parameter for AL2023 (from its bundled copy of the real one).
    const ssm = await moto.client(SSMClient).send(new GetParameterCommand({ Name: al2023Parameter }));
    const ami = ssm.Parameter!.Value!;
    const [lt] = await templates();
    expect(lt).toMatchObject({ LaunchTemplateName: 'albctl-lt', DefaultVersionNumber: 1, LatestVersionNumber: 1 });
    expect(lt!.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'albctl:stack', Value: 'albctl' },
        { Key: 'managed-by', Value: 'albctl' },
        { Key: 'team', Value: 'web' },
      ]),
    );
    const v1 = (await version('$Default')).LaunchTemplateData!;
    expect(v1).toMatchObject({
      ImageId: ami,
      InstanceType: 't3.micro',
      // No key pair: no public IPv4 (FSBP EC2.9); the groups then sit on the network interface.
      NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [sg], DeleteOnTermination: true }],
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled', HttpPutResponseHopLimit: 2 },
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true, VolumeType: 'gp3', DeleteOnTermination: true } }],
    });
    expect(v1.KeyName).toBeUndefined();
    expect(Buffer.from(v1.UserData!, 'base64').toString('utf8')).toBe(defaultUserData({ port: 8080 }));
    for (const type of ['instance', 'volume']) {
      const spec = v1.TagSpecifications!.find((t) => t.ResourceType === type);
      expect(spec?.Tags, type).toEqual(
        expect.arrayContaining([
          { Key: 'albctl:stack', Value: 'albctl' },
          { Key: 'managed-by', Value: 'albctl' },
          { Key: 'team', Value: 'web' },
          { Key: 'Name', Value: 'albctl-web' },
        ]),
      );
    }
    // The AMI looked up once is kept: a re-run does not ask SSM again.
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
    expect(state.inputs.ami).toBe(ami);
    expect(state.resources.launchTemplate).toMatchObject({ status: 'created', id: lt!.LaunchTemplateId, outputs: { imdsv2: true } });

    const again = await moto.cli(['launch-template', '-v'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(again.stderr).not.toMatch(/SSM\.GetParameter/);
    expect(mutatingCalls(again.stderr)).toEqual([]);

    const changed = await moto.cli(['launch-template', '--instance-type', 't3.small', '--json'], dir);
    expect(changed.code, changed.stderr).toBe(0);
    expect(JSON.parse(changed.stdout).actions[0]).toMatchObject({ action: 'update', changes: ['instance type: t3.micro → t3.small'] });
    expect((await templates())[0]).toMatchObject({ DefaultVersionNumber: 2, LatestVersionNumber: 2 });
    expect((await version('$Default')).LaunchTemplateData!.InstanceType).toBe('t3.small');
    expect((await version('1')).LaunchTemplateData!.InstanceType).toBe('t3.micro');

    const user = path.join(dir, 'boot.sh');
    await writeFile(user, '#!/bin/bash\necho custom\n');
    const custom = await moto.cli(['launch-template', '--user-data', user, '--volume-size', '20', '--json'], dir);
    expect(custom.code, custom.stderr).toBe(0);
    expect(JSON.parse(custom.stdout).actions[0].changes).toEqual([
      'root volume GiB: 15 → 20',
      expect.stringMatching(/^user data: sha256 [0-9a-f]{12} → [0-9a-f]{12}$/),
    ]);
    const v3 = (await version('$Default')).LaunchTemplateData!;
    expect(v3.BlockDeviceMappings![0]!.Ebs!.VolumeSize).toBe(20);
    expect(Buffer.from(v3.UserData!, 'base64').toString('utf8')).toBe('#!/bin/bash\necho custom\n');
    expect((await templates())[0]).toMatchObject({ DefaultVersionNumber: 3, LatestVersionNumber: 3 });

    const status = JSON.parse((await moto.cli(['status', '--json'], dir)).stdout);
    expect(status.resources[0]).toMatchObject({ resource: 'launchTemplate', name: 'albctl-lt', state: 'created' });
    expect(status.resources[0].detail).toMatch(/^default v3, ami-[0-9a-f]+, t3\.small, IMDSv2 required, 20 GiB gp3 encrypted$/);

    const destroyed = await moto.cli(['destroy', '--yes'], dir);
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stderr).toContain('deleted launch template albctl-lt');
    expect(await templates()).toEqual([]);
    expect(existsSync(path.join(dir, '.albctl', 'albctl.json'))).toBe(false);
  });

  it("defaults to the web security group in the state; a key pair and --ssh-cidr open SSH on it", async () => {
    const dir = await tempDir();
    const { vpcId } = await moto.network();
    const ec2 = moto.client(EC2Client);
    const tags = [{ ResourceType: 'security-group' as const, Tags: [{ Key: 'albctl:stack', Value: 'albctl' }] }];
    const albSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'albctl-alb-sg', Description: 'alb', VpcId: vpcId, TagSpecifications: tags }))).GroupId!;
    const webSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'albctl-web-sg', Description: 'web', VpcId: vpcId, TagSpecifications: tags }))).GroupId!;
    await ec2.send(new CreateKeyPairCommand({ KeyName: 'ops' }));
    // What `albctl alb` records, without running it.
    const at = new Date().toISOString();
    const sgRecord = (id: string, name: string) => ({
      kind: 'AWS::EC2::SecurityGroup',
      id,
      name,
      status: 'created',
      createdAt: at,
      updatedAt: at,
      outputs: { groupId: id, name, vpcId, ingress: [] },
    });
    await writeStateFile(path.join(dir, '.albctl', 'albctl.json'), moto.url, {
      albSecurityGroup: sgRecord(albSg, 'albctl-alb-sg'),
      webSecurityGroup: sgRecord(webSg, 'albctl-web-sg'),
    });
    const res = await moto.cli(['launch-template', '--key-name', 'ops', '--ssh-cidr', '203.0.113.0/24', '--json'], dir);
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).actions.map((a: { step: string }) => a.step)).toEqual(['webSecurityGroup', 'launchTemplate']);
    const data = (await version('$Default')).LaunchTemplateData!;
    // A key pair for SSH: a public IPv4 address to reach it at.
    expect(data).toMatchObject({ KeyName: 'ops', NetworkInterfaces: [{ AssociatePublicIpAddress: true, Groups: [webSg] }] });
    const sg = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [webSg] }))).SecurityGroups![0]!;
    expect(sg.IpPermissions).toContainEqual(
      expect.objectContaining({ FromPort: 22, ToPort: 22, IpRanges: [expect.objectContaining({ CidrIp: '203.0.113.0/24' })] }),
    );

    // --no-key-name takes the key out of a new version (and the SSH rule out of the group).
    const nokey = await moto.cli(['launch-template', '--no-key-name', '--json'], dir);
    expect(nokey.code, nokey.stderr).toBe(0);
    // Without a key pair, no public IPv4 address either (FSBP EC2.9).
    expect(JSON.parse(nokey.stdout).actions.find((a: { step: string }) => a.step === 'launchTemplate').changes).toEqual([
      'key pair: ops → (none)',
      'public IPv4: true → false',
    ]);
    const after = (await version('$Default')).LaunchTemplateData!;
    expect(after.KeyName).toBeUndefined();
    expect(after.NetworkInterfaces).toMatchObject([{ AssociatePublicIpAddress: false, Groups: [webSg] }]);
    // Run again: nothing left to change.
    const again = await moto.cli(['launch-template', '--no-key-name', '--json'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).actions.find((a: { step: string }) => a.step === 'launchTemplate')).toMatchObject({ action: 'none', changes: [] });
  });

  it('falls back to DescribeImages (owner amazon, AL2023 name) when SSM will not answer, and saves the choice', async () => {
    const dir = await tempDir();
    const proxy = await moto.proxy();
    proxy.rules.push({ service: 'ssm', action: 'GetParameter', error: { status: 400, code: 'AccessDeniedException', message: 'no ssm' } });
    const { ctx, state } = await makeContext({ endpoint: proxy.url, dir });
    const found = await image.find(ctx);
    expect(found?.outputs).toMatchObject({ source: 'describe-images', architecture: 'x86_64', rootDeviceName: '/dev/xvda' });
    expect(found!.outputs.name).toMatch(/^al2023-ami-2023\.[\d.]+-kernel-[\d.]+-x86_64$/);
    expect(proxy.calls.map((c) => c.action)).toEqual(['GetParameter', 'DescribeImages', 'DescribeImages']);
    expect(state.inputs.ami).toBe(found!.id);

    // With SSM answering, the parameter decides; a given --ami is only described.
    const direct = await makeContext({ endpoint: moto.url, dir, inputs: {} });
    expect((await image.find(direct.ctx))?.outputs.source).toBe('ssm');
    const given = await makeContext({ endpoint: moto.url, dir, inputs: { ami: found!.id } });
    expect((await image.find(given.ctx))?.outputs).toMatchObject({ source: 'input', imageId: found!.id });
  });

  it('refuses bad input with exit 2 naming the flag, and makes no call that changes anything', async () => {
    const dir = await tempDir();
    const sg = await securityGroup();
    for (const [args, pattern] of [
      [['--instance-type', 't3'], /^albctl: --instance-type must be an instance type like t3\.micro/],
      [['--instance-type', 'zz9.mega'], /^albctl: --instance-type zz9\.mega is not offered in this region/],
      [['--name', 'x'], /^albctl: --name must be a launch template name of 3-128/],
      [['--ami', 'ami-nope'], /^albctl: --ami must be an AMI id like ami-/],
      [['--ami', 'ami-0123456789abcdef0'], /^albctl: --ami ami-0123456789abcdef0 does not exist in this region/],
      [['--key-name', 'missing'], /^albctl: --key-name missing: no such key pair in this region/],
      [['--security-groups', 'sg-0123456789abcdef0'], /^albctl: --security-groups: sg-0123456789abcdef0: InvalidGroup\.NotFound/],
      [['--user-data', 'nope.sh'], /^albctl: --user-data: cannot read .*nope\.sh: no such file/],
      [['--volume-size', '2'], /^albctl: --volume-size 2 is smaller than the 15 GiB snapshot of ami-/],
      [['--tags', 'aws:x=1'], /^albctl: --tags must be tags like key=value/],
    ] as const) {
      const withSg = args[0] === '--security-groups' ? [...args] : [...args, '--security-groups', sg];
      const res = await moto.cli(['launch-template', ...withSg, '-v'], dir);
      expect(res.code, `${args.join(' ')}: ${res.stderr}`).toBe(2);
      const errorLines = res.stderr.split('\n').filter((l) => l.startsWith('albctl:'));
      expect(errorLines, args.join(' ')).toHaveLength(1);
      expect(errorLines[0], args.join(' ')).toMatch(pattern);
      expect(mutatingCalls(res.stderr), args.join(' ')).toEqual([]);
    }
    const noSg = await moto.cli(['launch-template', '-v'], dir);
    expect(noSg.code).toBe(2);
    expect(noSg.stderr).toMatch(/^albctl: the launch template needs the instances' security group: run `albctl alb` first/m);
    expect(noSg.stderr).not.toMatch(/^aws /m);
    expect(await templates()).toEqual([]);
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);
  });
});
