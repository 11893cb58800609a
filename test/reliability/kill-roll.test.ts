// Kill anywhere, rolling: `asg` and `instances` rolling two instances each to a new launch
// template version, and `cert --rotate`, SIGKILLed right after each of their mutating calls
// reached moto (the answer never comes back: the crash between the call and the state write).
// After each kill nothing is doubled beyond the one batch a roll adds; a re-run of the same
// command ends with the right count on the new version (the certificate: one, presented by the
// listener, matching the files), the state records no roll left.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { DescribeListenersCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { readCertificateFile } from '../../src/cert/files.js';
import { mutatingAction, startAwsProxy, type AwsProxy } from '../support/aws-proxy.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { checkStateFile, killOnRule } from '../support/reliability.js';

const moto = useMoto();
/** Each kill's roll goes to the next type of this list, so every run has something to replace. */
const TYPES = ['t3.small', 't3.medium'];

const tag = (i: Instance, key: string) => i.Tags?.find((t) => t.Key === key)?.Value;

interface Fleet {
  /** The group's members in service (or on the way). */
  group: Instance[];
  /** Launched by albctl's roll for the group and never attached. */
  orphans: Instance[];
  standalone: Instance[];
  desired: number;
  registered: string[];
}

async function fleet(dir: string): Promise<Fleet> {
  const out = await moto.client(EC2Client).send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:albctl:stack', Values: ['albctl'] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }),
  );
  const all = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const g = (await moto.client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups![0]!;
  const members = new Set((g.Instances ?? []).filter((i) => /^(Pending|InService)/.test(i.LifecycleState ?? '')).map((i) => i.InstanceId));
  const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
  const health = await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetHealthCommand({ TargetGroupArn: state.resources.targetGroup.id }));
  return {
    group: all.filter((i) => members.has(i.InstanceId)),
    orphans: all.filter((i) => !members.has(i.InstanceId) && tag(i, 'albctl:roll-for')),
    standalone: all.filter((i) => tag(i, 'albctl:role') === 'instance'),
    desired: g.DesiredCapacity ?? 0,
    registered: (health.TargetHealthDescriptions ?? []).map((d) => d.Target!.Id!),
  };
}

const onVersion = (is: Instance[], v: string) => is.every((i) => tag(i, 'aws:ec2launchtemplate:version') === v);

async function templateVersion(dir: string): Promise<string> {
  const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8'));
  return String(state.resources.launchTemplate.outputs.defaultVersion);
}

/** A stack with a group of 2 and 2 stand-alone instances, built through the proxy. */
async function stack(proxy: AwsProxy): Promise<string> {
  const dir = await tempDir();
  const r = await runCli(['init', '--yes', '--min-size', '2', '--instances', '2'], { cwd: dir, env: awsEnv(proxy.url) });
  expect(r.code, r.stderr).toBe(0);
  return dir;
}

/**
 * For the command `cmd` rolling a fleet: a clean roll first (its mutating calls are the kill
 * points), then for each point a new template version, a run killed right after that call, the
 * checks, and a re-run.
 */
async function killEveryRollCall(cmd: 'asg' | 'instances', check: (f: Fleet, after: 'kill' | 'rerun', version: string) => string[]): Promise<number> {
  const proxy = await startAwsProxy(moto.url);
  const problems: string[] = [];
  try {
    const dir = await stack(proxy);
    const cli = (args: string[]) => runCli(args, { cwd: dir, env: awsEnv(proxy.url), timeoutMs: 90_000 });
    let type = 0;
    const newVersion = async () => {
      const r = await cli(['launch-template', '--instance-type', TYPES[type++ % TYPES.length]!]);
      expect(r.code, r.stderr).toBe(0);
      return templateVersion(dir);
    };
    await newVersion();
    const from = proxy.calls.length;
    const clean = await cli([cmd]);
    expect(clean.code, clean.stderr).toBe(0);
    const points = proxy.calls.slice(from).filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
    expect(points.length).toBeGreaterThanOrEqual(8); // 2 instances × (launch, register/attach, deregister, terminate)
    for (let k = 1; k <= points.length; k++) {
      const version = await newVersion();
      const label = `${cmd}: kill after mutating call ${k} (${points[k - 1]})`;
      const killed = await killOnRule([cmd], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
      if (!killed.killed) problems.push(`${label}: was not killed (exit ${killed.code})`);
      const torn = await checkStateFile(path.join(dir, '.albctl', 'albctl.json'));
      if (torn.problem) problems.push(`${label}: state ${torn.problem}`);
      problems.push(...check(await fleet(dir), 'kill', version).map((p) => `${label}: after the kill: ${p}`));
      const rerun = await cli([cmd]);
      if (rerun.code !== 0) {
        problems.push(`${label}: re-run exited ${rerun.code}: ${rerun.stderr.split('\n').filter((l) => l.startsWith('albctl:')).join(' | ')}`);
        continue;
      }
      problems.push(...check(await fleet(dir), 'rerun', version).map((p) => `${label}: after the re-run: ${p}`));
      const state = (await checkStateFile(path.join(dir, '.albctl', 'albctl.json'))).state!;
      const left = Object.entries(state.resources).filter(([, r]) => r.outputs.roll || r.status !== 'created');
      if (left.length) problems.push(`${label}: the state still records ${left.map(([id]) => id).join(', ')}`);
    }
    expect(problems).toEqual([]);
    console.log(`kill-roll ${cmd}: ${points.length} kills survived (${points.join(', ')})`);
    return points.length;
  } finally {
    await proxy.stop();
  }
}

describe('kill anywhere: the roll', () => {
  it('asg: SIGKILL after every mutating call of the roll; a re-run ends with 2 on the new version, nothing doubled', async () => {
    await killEveryRollCall('asg', (f, after, version) => {
      const p: string[] = [];
      const count = f.group.length + f.orphans.length;
      if (after === 'kill' && count > 3) p.push(`${count} group instances (and unattached ones) for 2 (one batch of 1 may be extra)`);
      if (after === 'rerun') {
        if (f.group.length !== 2 || f.orphans.length || f.desired !== 2) p.push(`group ${f.group.length}, orphans ${f.orphans.length}, desired ${f.desired}`);
        if (!onVersion(f.group, version)) p.push(`group not all on v${version}: ${f.group.map((i) => tag(i, 'aws:ec2launchtemplate:version')).join(',')}`);
        if (f.standalone.length !== 2) p.push(`stand-alone instances touched: ${f.standalone.length}`);
      }
      return p;
    });
  }, 600_000);

  it('instances: SIGKILL after every mutating call of the roll; a re-run ends with indexes 0 and 1 on the new version, nothing doubled', async () => {
    await killEveryRollCall('instances', (f, after, version) => {
      const p: string[] = [];
      if (after === 'kill' && f.standalone.length > 3) p.push(`${f.standalone.length} stand-alone instances for 2 (one new one may be extra)`);
      if (after === 'rerun') {
        const indexes = f.standalone.map((i) => tag(i, 'albctl:index')).sort();
        if (JSON.stringify(indexes) !== '["0","1"]') p.push(`indexes ${indexes.join(',')}`);
        if (!onVersion(f.standalone, version)) p.push(`not all on v${version}: ${f.standalone.map((i) => tag(i, 'aws:ec2launchtemplate:version')).join(',')}`);
        const ids = [...f.group, ...f.standalone].map((i) => i.InstanceId!).sort();
        if (JSON.stringify([...f.registered].sort()) !== JSON.stringify(ids)) p.push(`registered ${f.registered.length} targets for ${ids.length} instances`);
      }
      return p;
    });
  }, 600_000);
});

describe('kill anywhere: certificate rotation', () => {
  it('cert --rotate SIGKILLed after each of its mutating calls; a re-run ends with one certificate, presented by the listener, matching the files', async () => {
    const proxy = await startAwsProxy(moto.url);
    const problems: string[] = [];
    try {
      const dir = await tempDir();
      const cli = (args: string[]) => runCli(args, { cwd: dir, env: awsEnv(proxy.url) });
      const built = await cli(['init', '--yes', '--instances', '0']);
      expect(built.code, built.stderr).toBe(0);
      const from = proxy.calls.length;
      expect((await cli(['cert', '--rotate'])).code).toBe(0);
      const points = proxy.calls.slice(from).filter((c) => mutatingAction.test(c.action)).map((c) => c.action);
      expect(points).toEqual(['UploadServerCertificate', 'ModifyListener', 'DeleteServerCertificate']);
      for (let k = 1; k <= points.length; k++) {
        const label = `kill after ${points[k - 1]}`;
        const killed = await killOnRule(['cert', '--rotate'], { cwd: dir, proxy, rule: { action: mutatingAction, skip: k - 1, hang: 'after' } });
        if (!killed.killed) problems.push(`${label}: was not killed`);
        const certs = (await moto.client(IAMClient).send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList ?? [];
        if (certs.length > 2) problems.push(`${label}: ${certs.length} IAM certificates after the kill`);
        // The re-run finishes the recorded rotation (it does not start another).
        const rerun = await cli(['cert']);
        if (rerun.code !== 0) {
          problems.push(`${label}: re-run exited ${rerun.code}: ${rerun.stderr}`);
          continue;
        }
        if (!/finishing an interrupted rotation/.test(rerun.stderr)) problems.push(`${label}: the re-run did not finish the rotation`);
        const state = (await checkStateFile(path.join(dir, '.albctl', 'albctl.json'))).state!;
        const sc = state.resources.serverCertificate!;
        const after = ((await moto.client(IAMClient).send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList ?? []).map((m) => m.Arn);
        if (JSON.stringify(after) !== JSON.stringify([sc.id])) problems.push(`${label}: IAM holds ${after.join(', ')}, the state ${sc.id}`);
        const listener = (await moto.client(ElasticLoadBalancingV2Client).send(new DescribeListenersCommand({ ListenerArns: [state.resources.httpsListener!.id!] }))).Listeners![0]!;
        if (listener.Certificates?.[0]?.CertificateArn !== sc.id) problems.push(`${label}: the listener presents ${listener.Certificates?.[0]?.CertificateArn}`);
        const onDisk = await readCertificateFile(state.resources.certificateFiles!.outputs.certificate as string);
        if (onDisk.fingerprintSha256 !== sc.outputs.fingerprintSha256) problems.push(`${label}: certificate.crt is not the uploaded certificate`);
        if (sc.outputs.rotation) problems.push(`${label}: the state still records a rotation`);
      }
      expect(problems).toEqual([]);
    } finally {
      await proxy.stop();
    }
  }, 300_000);
});
