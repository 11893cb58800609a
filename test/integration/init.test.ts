// Issue 4's proof, without a terminal: init builds the whole stack the AWS CLI confirms; a second
// init changes nothing; --dry-run changes nothing; destroy leaves nothing, twice; destroy
// --discover after the state file is lost leaves nothing.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCli, hasAwsCli } from '../support/awscli.js';
import { runCli, tempDir, useMoto } from '../support/harness.js';
import { expectNothingLeft, expectSeedStack } from '../support/seed-stack.js';

const moto = useMoto();
// eslint-disable-next-line no-control-regex
const escapes = /\x1b\[/;
const mutating = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('aws ') && !/^aws \w+\.(Describe|Get|List)\w* /.test(l));

describe.skipIf(!hasAwsCli())('albctl init (no terminal)', () => {
  it('builds, re-runs as a no-op, plans without changing, destroys twice, and discovers after the state is lost', async () => {
    const dir = await tempDir();
    const aws = awsCli(moto.url);
    const cli = (...args: string[]) => runCli(args, { cwd: dir, env: moto.env });

    const noYes = await cli('init');
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/pass --yes to build without confirming/);
    expect(existsSync(path.join(dir, '.albctl', 'albctl.json'))).toBe(false);

    const built = await cli('init', '--yes', '--json');
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).not.toMatch(escapes);
    expect(built.stdout).not.toMatch(escapes);
    const doc = JSON.parse(built.stdout);
    // 12 resources created; stickiness is an attribute of the target group, so it is an update.
    const actions = doc.actions as { step: string; action: string }[];
    expect(actions.filter((a) => a.action === 'create')).toHaveLength(12);
    expect(actions.find((a) => a.step === 'stickiness')!.action).toBe('update');
    expect(doc.outputs.loadBalancer.dnsName).toMatch(/elb\.amazonaws\.com$/);
    expect(JSON.stringify(doc)).not.toMatch(/PRIVATE KEY/);
    expectSeedStack(aws, { instances: 2 });

    const again = await cli('init', '--yes', '-v');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('nothing to do');
    expect(mutating(again.stderr)).toEqual([]);

    const plan = await cli('init', '--yes', '--dry-run', '--sticky-duration', '12h', '--instance-type', 't3.small', '-v');
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr).toMatch(/~ update\s+stickiness/);
    expect(plan.stderr).toMatch(/~ update\s+launch template albctl-lt/);
    expect(plan.stderr).toContain('--dry-run: nothing was changed');
    expect(mutating(plan.stderr)).toEqual([]);
    expectSeedStack(aws, { instances: 2 }); // still one day, still t3.micro

    const destroyed = await cli('destroy', '--yes');
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expectNothingLeft(aws);
    const twice = await cli('destroy', '--yes');
    expect(twice.code).toBe(0);
    expect(twice.stderr).toContain('nothing to destroy');

    expect((await cli('init', '--yes')).code).toBe(0);
    await rm(path.join(dir, '.albctl', 'albctl.json'));
    const lost = await cli('destroy', '--discover', '--yes');
    expect(lost.code, lost.stderr).toBe(0);
    expectNothingLeft(aws);
  }, 120_000);

  it('the sandbox builds the stack against its own emulator and tears it down (the README\'s main job)', async () => {
    const dir = await tempDir();
    // No AWS credentials at all: `init --sandbox auto` (what `npm start` runs) takes the sandbox.
    const res = await runCli(['init', '--sandbox', 'auto', '--yes'], {
      cwd: dir,
      env: { AWS_EC2_METADATA_DISABLED: 'true', ALBCTL_MOTO_SERVER: path.resolve('.venv/bin/moto_server'), HOME: dir },
      timeoutMs: 90_000,
    });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/starting the sandbox instead/);
    expect(res.stderr).toMatch(/SANDBOX account 123456789012/);
    expect(res.stderr).toMatch(/stack albctl is ready: 13 change\(s\)/);
    expect(res.stderr).toMatch(/what the emulator holds now/);
    expect(res.stderr).toMatch(/sandbox removed: every resource deleted, the emulator stopped/);
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false); // the sandbox's state lived in a temp dir
  }, 120_000);
});
