// Bad input, table-driven: every case must exit 2 (3 for state problems) with one line that names
// the flag or file, no stack trace, no AWS call that changes anything, and no file written.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateSubnetCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client, type BucketLocationConstraint } from '@aws-sdk/client-s3';
import { generateCertificate } from '../../src/cert/generate.js';
import { runCli, tempDir, useMoto } from '../support/harness.js';
import { badInputs, CERTIFICATE_WITHOUT_KEY, type BadInput } from './bad-inputs.js';

const moto = useMoto();

let certificatePem: string | undefined;
const certificateWithoutKey = () => (certificatePem ??= generateCertificate({ cn: 'example.com', san: ['example.com'], days: 30 }).certificatePem);

/** The command line with its placeholders filled in from this account's default VPC. */
async function resolveArgs(c: BadInput): Promise<string[]> {
  const line = c.args.join('\u0000');
  if (!line.includes('{subnet-')) return c.args;
  const net = await moto.network();
  const byAz = [...net.subnets].sort((a, b) => a.az.localeCompare(b.az));
  const values: Record<string, string> = { 'subnet-a': byAz[0]!.id, 'subnet-b': byAz[1]!.id };
  if (line.includes('{subnet-a2}')) {
    const made = await moto.client(EC2Client).send(
      new CreateSubnetCommand({ VpcId: net.vpcId, CidrBlock: '172.31.240.0/24', AvailabilityZone: byAz[0]!.az }),
    );
    values['subnet-a2'] = made.Subnet!.SubnetId!;
  }
  return c.args.map((a) => a.replace(/\{(subnet-a2?|subnet-b)\}/g, (_, k: string) => values[k]!));
}

/** A bucket in another region, or (moto's x-moto-account-id header) in another account. */
async function makeBucket(b: NonNullable<BadInput['buckets']>[number]): Promise<void> {
  const s3 = new S3Client({ region: b.region ?? 'us-east-1', endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  if (b.account) {
    s3.middlewareStack.add((next) => (args) => {
      (args.request as { headers: Record<string, string> }).headers['x-moto-account-id'] = b.account!;
      return next(args);
    }, { step: 'build' });
  }
  const where = b.region && b.region !== 'us-east-1' ? { CreateBucketConfiguration: { LocationConstraint: b.region as BucketLocationConstraint } } : {};
  await s3.send(new CreateBucketCommand({ Bucket: b.name, ...where }));
  s3.destroy();
}

describe('bad input', () => {
  it(`has a corpus of at least 60 cases (has ${badInputs.length})`, () => {
    expect(badInputs.length).toBeGreaterThanOrEqual(60);
  });

  it('covers every command', () => {
    const commands = new Set(badInputs.map((c) => c.args[0]));
    for (const c of ['init', 'target-group', 'alb', 'cert', 'https', 'sticky', 'launch-template', 'asg', 'instances', 'loadtest', 'status', 'destroy', 'list', 'state', 'unlock']) {
      expect(commands, c).toContain(c);
    }
  });

  it.each(badInputs.map((c) => [c.args.join(' ') + (c.env ? ` (${Object.keys(c.env).join(',')})` : '') + (c.files ? ` [${Object.keys(c.files).join(',')}]` : ''), c] as const))(
    '%s',
    async (_name, c) => {
      const dir = await tempDir();
      for (const [name, content] of Object.entries(c.files ?? {})) {
        await writeFile(path.join(dir, name), content === CERTIFICATE_WITHOUT_KEY ? certificateWithoutKey() : content);
      }
      for (const b of c.buckets ?? []) await makeBucket(b);
      const args = await resolveArgs(c);
      const res = await runCli([...args, '--verbose'], { cwd: dir, env: { ...moto.env, ...c.env } });
      expect(res.code, res.stderr).toBe(c.exit ?? 2);
      const errors = res.stderr.split('\n').filter((l) => l.startsWith('albctl:'));
      expect(errors, res.stderr).toHaveLength(1);
      expect(errors[0]).toMatch(c.says);
      expect(res.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/); // no stack trace
      const calls = res.stderr.split('\n').filter((l) => l.startsWith('aws '));
      expect(calls.filter((l) => !/^aws \w+\.(Describe|Get|List|Head)\w* /.test(l))).toEqual([]);
      expect((await readdir(dir)).sort()).toEqual(Object.keys(c.files ?? {}).sort());
      expect(res.stdout).toBe('');
    },
  );
});
