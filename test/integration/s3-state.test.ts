// The state in S3 (moto's), as a team uses it: one person builds with the step commands, another
// runs init and status from another directory, a third destroys; `state push|pull` move a stack
// between a local file and S3; `list` reads a directory or a prefix; every S3 failure is one line
// naming the bucket, and nothing is written locally.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { census, nothing } from '../support/census.js';
import { awsEnv, runCli, tempDir, useMoto, type CliResult } from '../support/harness.js';
import { makeStateBucket, readObject, STATE_BUCKET } from '../support/state-modes.js';

const moto = useMoto();
const url = (key: string) => `s3://${STATE_BUCKET}/${key}`;
const errorLines = (r: CliResult) => r.stderr.split('\n').filter((l) => l.startsWith('albctl:'));
/** Mutating calls in a --verbose log, S3's state writes set apart. */
const mutating = (r: CliResult) => r.stderr.split('\n').filter((l) => /^aws \w+\.\w+ /.test(l) && !/^aws \w+\.(Describe|Get|List|Head)\w* /.test(l));
const awsChanges = (r: CliResult) => mutating(r).filter((l) => !l.startsWith('aws S3.'));

describe('state in S3', () => {
  it('one builds with the step commands, another runs init and status elsewhere, a third destroys', async () => {
    await makeStateBucket(moto);
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    const run = (dir: string, ...args: string[]) => runCli([...args, '--stack', 'web', '--state', url('team/web.json')], { cwd: dir, env: moto.env });
    for (const args of [['target-group'], ['alb'], ['cert', '--upload'], ['https'], ['sticky'], ['launch-template'], ['asg'], ['instances', '--count', '1']]) {
      const r = await run(a, ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/does not keep versions/);
    }
    const printed = await run(a, 'launch-template', '--print-user-data', '--json');
    expect(printed.code, printed.stderr).toBe(0);
    expect(JSON.parse(printed.stdout).port).toBe(8080);
    // The state is in S3, not here; the private key stays here, and never in the state.
    expect(existsSync(path.join(a, '.albctl', 'web.json'))).toBe(false);
    expect(await readdir(path.join(a, '.albctl'))).toEqual(['.gitignore', 'web']);
    expect(existsSync(path.join(a, '.albctl', 'web', 'cert', 'private.pem'))).toBe(true);
    const saved = (await readObject(moto, 'team/web.json'))!;
    expect(saved).not.toMatch(/PRIVATE KEY/);
    expect(JSON.parse(saved)).toMatchObject({ stack: 'web', account: '123456789012', region: 'us-east-1', lastRun: { command: 'instances', outcome: 'done' } });
    expect(await readObject(moto, 'team/web.json.lock')).toBeUndefined();

    // A teammate on another machine (where A's certificate files are not: moved away here), with
    // ALBCTL_STATE: init converges what is there, leaving the files to A's machine, then is a no-op.
    await rename(path.join(a, '.albctl'), path.join(a, 'on-another-machine'));
    const env = { ...moto.env, ALBCTL_STATE: url('team/') };
    const init = await runCli(['init', '--yes', '--stack', 'web', '--instances', '1'], { cwd: b, env });
    expect(init.code, init.stderr).toBe(0);
    const again = await runCli(['init', '--yes', '--stack', 'web', '--instances', '1', '-v'], { cwd: b, env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(awsChanges(again)).toEqual([]);
    expect(mutating(again).length).toBeGreaterThan(0); // the lock and the outcome, in S3
    const status = await runCli(['status', '--stack', 'web', '--json'], { cwd: b, env });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).resources.map((r: { resource: string }) => r.resource)).toContain('loadBalancer');
    expect(existsSync(path.join(b, '.albctl', 'web.json'))).toBe(false);

    // A third place destroys everything; the S3 object goes too.
    const destroyed = await runCli(['destroy', '--yes', '--stack', 'web'], { cwd: c, env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await census(moto.client, 'web')).toEqual(nothing);
    expect(await readObject(moto, 'team/web.json')).toBeUndefined();
    expect(await readObject(moto, 'team/web.json.lock')).toBeUndefined();
    expect(existsSync(path.join(c, '.albctl'))).toBe(false);
  }, 120_000);

  it('state push and pull: copy between the local file and S3, never over a newer state', async () => {
    await makeStateBucket(moto);
    const dir = await tempDir();
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env: moto.env });
    const local = path.join(dir, '.albctl', 'albctl.json');
    expect((await cli('target-group')).code).toBe(0);
    const pushed = await cli('state', 'push', url('p/'), '--json');
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ direction: 'push', action: 'copied', from: '.albctl/albctl.json', to: url('p/albctl.json'), resources: 1 });
    expect(await readObject(moto, 'p/albctl.json')).toBe(await readFile(local, 'utf8'));
    expect((await cli('state', 'push', url('p/'))).stderr).toMatch(/already holds the same state/);

    // The S3 copy moves on; pushing the older local file is refused, S3 left as it was.
    expect((await cli('alb', '--state', url('p/'))).code).toBe(0);
    const newer = await readObject(moto, 'p/albctl.json');
    const refused = await cli('state', 'push', url('p/'));
    expect(refused.code).toBe(3);
    expect(errorLines(refused)).toEqual([expect.stringMatching(/^albctl: s3:\/\/albctl-test-state\/p\/albctl\.json is newer \(updated .+\) than \.albctl\/albctl\.json .*nothing was overwritten/)]);
    expect(await readObject(moto, 'p/albctl.json')).toBe(newer);

    // Pull with the URL from ALBCTL_STATE: the local file catches up.
    const pulled = await runCli(['state', 'pull'], { cwd: dir, env: { ...moto.env, ALBCTL_STATE: url('p/') } });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(await readFile(local, 'utf8')).toBe(newer);
    // Into a directory that has no .albctl yet: made, with its .gitignore.
    const other = await tempDir();
    expect((await runCli(['state', 'pull', url('p/')], { cwd: other, env: moto.env })).code).toBe(0);
    expect((await readdir(path.join(other, '.albctl'))).sort()).toEqual(['.gitignore', 'albctl.json']);

    const noUrl = await cli('state', 'push');
    expect(noUrl.code).toBe(2);
    expect(errorLines(noUrl)).toEqual(['albctl: state push and pull need an s3:// URL: pass one, or set --state / ALBCTL_STATE to it']);
  }, 60_000);

  it('list: the stacks of a directory or a prefix, and with --discover the ones that have only tags', async () => {
    await makeStateBucket(moto);
    const dir = await tempDir();
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env: moto.env });
    for (const stack of ['web-a', 'web-b', 'orphan']) expect((await cli('target-group', '--stack', stack)).code).toBe(0);
    await writeFile(path.join(dir, '.albctl', 'orphan.json'), '{ not json');
    // Foreign target groups (more than one DescribeTags batch of 20), tagged or not.
    const elb = moto.client(ElasticLoadBalancingV2Client);
    const { vpcId } = await moto.network();
    for (let i = 0; i < 25; i++) {
      const Tags = i === 0 ? [{ Key: 'albctl:stack', Value: 'lost' }] : [{ Key: 'team', Value: 'other' }];
      await elb.send(new CreateTargetGroupCommand({ Name: `foreign-${i}`, Protocol: 'HTTP', Port: 80, VpcId: vpcId, Tags }));
    }
    const listed = await cli('list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const doc = JSON.parse(listed.stdout);
    expect(doc).toMatchObject({ location: '.albctl', discovered: false, account: null });
    expect(doc.stacks.map((s: { stack: string; resources: number | null; problem: string | null }) => [s.stack, s.resources, s.problem])).toEqual([
      ['orphan', null, 'not valid JSON'],
      ['web-a', 1, null],
      ['web-b', 1, null],
    ]);
    expect(doc.stacks[1]).toMatchObject({ state: '.albctl/web-a.json', region: 'us-east-1', account: '123456789012', locked: false, lastRun: { command: 'target-group', outcome: 'done' } });

    const discovered = await cli('list', '--discover', '--json');
    expect(discovered.code, discovered.stderr).toBe(0);
    const rows = JSON.parse(discovered.stdout).stacks.map((s: { stack: string; state: string | null; tagged?: number }) => [s.stack, s.state, s.tagged ?? null]);
    // "orphan"'s file is unreadable, so its tagged target group shows as a stack without a state file.
    expect(rows).toEqual([
      ['orphan', '.albctl/orphan.json', null],
      ['web-a', '.albctl/web-a.json', 1],
      ['web-b', '.albctl/web-b.json', 1],
      ['lost', null, 1],
      ['orphan', null, 1],
    ]);
    // The table is on stderr with --json too.
    const human = discovered;
    expect(human.stderr).toMatch(/^STACK\s+REGION\s+ACCOUNT\s+RESOURCES\s+LAST RUN\s+OUTCOME\s+TAGGED$/m);
    expect(human.stderr).toMatch(/^lost\s+us-east-1\s+123456789012\s+-\s+-\s+no state file \(albctl destroy --discover finds it\)\s+1$/m);
    expect(human.stderr).toMatch(/^web-a\s+us-east-1\s+123456789012\s+1\s+target-group \d+s ago\s+done\s+1$/m);

    // The same from an S3 prefix.
    for (const stack of ['web-a', 'web-b']) expect((await cli('state', 'push', url('all/'), '--stack', stack)).code).toBe(0);
    const remote = await cli('list', '--state', url('all/'), '--json');
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout).stacks.map((s: { state: string }) => s.state)).toEqual([url('all/web-a.json'), url('all/web-b.json')]);
  }, 60_000);

  it('the account guard holds for a state in S3: exit 3, the object byte for byte, no lock left; --dry-run writes nothing', async () => {
    await makeStateBucket(moto);
    const dir = await tempDir();
    const cli = (...args: string[]) => runCli([...args, '--state', url('g/'), '-v'], { cwd: dir, env: moto.env });
    expect((await cli('target-group')).code).toBe(0);
    const plan = await cli('alb', '--dry-run');
    expect(plan.code, plan.stderr).toBe(0);
    expect(mutating(plan)).toEqual([]);
    const theirs = (await readObject(moto, 'g/albctl.json'))!.replace('"account": "123456789012"', '"account": "999999999999"');
    await moto.client(S3Client).send(new PutObjectCommand({ Bucket: STATE_BUCKET, Key: 'g/albctl.json', Body: theirs }));
    for (const args of [['alb'], ['status'], ['destroy', '--yes']]) {
      const r = await cli(...args);
      expect(r.code, r.stderr).toBe(3);
      expect(errorLines(r)).toEqual([
        'albctl: s3://albctl-test-state/g/albctl.json belongs to AWS account 999999999999, but the credentials are for 123456789012: use the profile that made it (--profile)',
      ]);
      expect(awsChanges(r)).toEqual([]);
    }
    expect(await readObject(moto, 'g/albctl.json')).toBe(theirs);
    expect(await readObject(moto, 'g/albctl.json.lock')).toBeUndefined();
  });

  it('a bucket without versioning: a warning that says how to turn it on', async () => {
    await makeStateBucket(moto, { versioning: false });
    const r = await runCli(['target-group', '--state', url('x/')], { cwd: await tempDir(), env: moto.env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: the S3 bucket albctl-test-state does not keep versions: .*aws s3api put-bucket-versioning --bucket albctl-test-state --versioning-configuration Status=Enabled/,
    );
  });
});

describe('S3 failures: one line naming the bucket and what to do, nothing changed locally or in AWS', () => {
  async function failing(args: string[], env: Record<string, string> = moto.env): Promise<{ r: CliResult; dir: string }> {
    const dir = await tempDir();
    const r = await runCli([...args, '--verbose'], { cwd: dir, env });
    expect(errorLines(r), r.stderr).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(awsChanges(r)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    return { r, dir };
  }

  it('no such bucket: exit 1, and how to make it', async () => {
    const { r } = await failing(['target-group', '--state', 's3://no-such-bucket-here/a/']);
    expect(r.code).toBe(1);
    expect(errorLines(r)[0]).toBe(
      'albctl: the S3 bucket no-such-bucket-here does not exist: create it (aws s3 mb s3://no-such-bucket-here, then turn on versioning) or fix the bucket in --state / ALBCTL_STATE',
    );
  });

  // moto differs from AWS here: it enforces no IAM or KMS policy and serves a bucket whatever the
  // client's region, so these answers come from the fault proxy, in S3's own error format.
  it('access denied, a KMS key denied, a bucket in another region: exit 1, the bucket named', async () => {
    await makeStateBucket(moto);
    const proxy = await moto.proxy();
    const env = awsEnv(proxy.url);
    proxy.rules.push({ service: 's3', action: 'PutObject', times: 1, error: { status: 403, code: 'AccessDenied', message: 'Access Denied' } });
    const denied = await failing(['target-group', '--state', url('a/')], env);
    expect(denied.r.code).toBe(1);
    expect(errorLines(denied.r)[0]).toMatch(/^albctl: access denied to s3:\/\/albctl-test-state\/a\/albctl\.json\.lock \(s3:PutObject\): these credentials need .* on bucket albctl-test-state, or use another --profile$/);

    // SSE-KMS: S3 answers AccessDenied naming KMS when the key's policy refuses these credentials.
    await runCli(['target-group', '--state', url('k/')], { cwd: await tempDir(), env: moto.env });
    proxy.rules.push({ service: 's3', action: 'GetObject', times: 1, error: { status: 403, code: 'AccessDenied', message: 'User is not authorized to perform: kms:Decrypt on the KMS key' } });
    const kms = await failing(['status', '--state', url('k/')], env);
    expect(kms.r.code).toBe(1);
    expect(errorLines(kms.r)[0]).toMatch(/^albctl: S3 could not use the KMS key for s3:\/\/albctl-test-state\/k\/albctl\.json \(AccessDenied\): these credentials need kms:Decrypt/);

    // The SDK follows a redirect to the bucket's region; one it cannot follow is reported.
    proxy.rules.push({ service: 's3', action: /./, times: 20, error: { status: 301, code: 'PermanentRedirect', message: 'The bucket is in this region: eu-west-1' } });
    const moved = await failing(['status', '--state', url('k/')], env);
    expect(moved.r.code).toBe(1);
    expect(errorLines(moved.r)[0]).toMatch(/^albctl: the S3 bucket albctl-test-state is in another region .*: set ALBCTL_STATE_REGION/);
  });

  it('state pull from a bucket that fails: the local file left byte for byte', async () => {
    const dir = await tempDir();
    expect((await runCli(['target-group'], { cwd: dir, env: moto.env })).code).toBe(0);
    const before = await readFile(path.join(dir, '.albctl', 'albctl.json'));
    const r = await runCli(['state', 'pull', 's3://no-such-bucket-here/'], { cwd: dir, env: moto.env });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([expect.stringMatching(/^albctl: the S3 bucket no-such-bucket-here does not exist/)]);
    expect(await readFile(path.join(dir, '.albctl', 'albctl.json'))).toEqual(before);
    expect((await readdir(path.join(dir, '.albctl'))).sort()).toEqual(['.gitignore', 'albctl.json']);
  });
});

describe('.albctl and git', () => {
  it('git add -A in an application repository picks up neither the state nor private.pem', async () => {
    const dir = await tempDir();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
    git('init', '-q');
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'app.js'), 'console.log(1)\n');
    expect((await runCli(['cert'], { cwd: dir, env: moto.env })).code).toBe(0);
    expect((await runCli(['target-group'], { cwd: dir, env: moto.env })).code).toBe(0);
    expect(existsSync(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem'))).toBe(true);
    git('add', '-A');
    expect(git('status', '--porcelain').trim().split('\n')).toEqual(['A  src/app.js']);
  });
});
