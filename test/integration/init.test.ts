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
    // 12 resources created; stickiness is an attribute of the target group, so it is an update (the
    // load balancer's attributes likewise).
    const actions = doc.actions as { step: string; action: string; changes: string[] }[];
    expect(actions.filter((a) => a.action === 'create')).toHaveLength(12);
    expect(actions.find((a) => a.step === 'stickiness')).toMatchObject({ action: 'update', changes: ['stickiness: off → lb_cookie for 1d (86400s)'] });
    // The plan said what the build then did, step by step, stickiness included.
    const said = (items: { step: string; action: string; changes: string[] }[]) => items.map((i) => `${i.action} ${i.step}: ${i.changes.join('; ')}`);
    expect(said(doc.plan)).toEqual(said(actions));
    expect(built.stderr).toMatch(/~ update\s+stickiness on albctl-tg: lb_cookie for 1d\n\s+stickiness: off → lb_cookie for 1d \(86400s\)/);
    expect(built.stderr).toContain('updated stickiness on albctl-tg');
    // The load balancer's attributes are a setting of it too: updated from a new one's defaults.
    expect(actions.find((a) => a.step === 'loadBalancerAttributes')).toMatchObject({
      action: 'update',
      changes: ['deletion protection: false → true', 'drop invalid header fields: false → true'],
    });
    expect(built.stderr).toMatch(/~ update\s+load balancer attributes of albctl-alb\n\s+deletion protection: false → true/);
    expect(built.stderr).toContain('updated load balancer attributes of albctl-alb');
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
});
