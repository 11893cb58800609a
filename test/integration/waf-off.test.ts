// Turning the web ACL off again: `alb --no-waf` after `alb --waf` disassociates and deletes the
// stack's web ACL (it is billed by the month), plans it under --dry-run, and never takes off a
// web ACL the user put on the load balancer since. Checked through the AWS CLI against moto.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCli, hasAwsCli } from '../support/awscli.js';
import { census } from '../support/census.js';
import { startAwsProxy } from '../support/aws-proxy.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';
import { killOnRule } from '../support/reliability.js';

const moto = useMoto();

type AclSummary = { Name: string; ARN: string; Id: string; LockToken: string };

describe.skipIf(!hasAwsCli())('alb --no-waf after --waf', () => {
  /** `alb --waf` in a new directory; `env` points it elsewhere (through a fault proxy). */
  async function builtWithWaf(env: Record<string, string> = moto.env) {
    const dir = await tempDir();
    const built = await runCli(['alb', '--waf'], { cwd: dir, env });
    expect(built.code, built.stderr).toBe(0);
    const aws = awsCli(moto.url);
    const lb = aws<{ LoadBalancers: { LoadBalancerArn: string }[] }>('elbv2', 'describe-load-balancers', '--names', 'albctl-alb').LoadBalancers[0]!;
    const aclOn = () => aws<{ WebACL?: { Name: string } }>('wafv2', 'get-web-acl-for-resource', '--resource-arn', lb.LoadBalancerArn).WebACL?.Name;
    const acls = () => aws<{ WebACLs: AclSummary[] }>('wafv2', 'list-web-acls', '--scope', 'REGIONAL').WebACLs;
    expect(aclOn()).toBe('albctl-waf');
    return { dir, aws, lb, aclOn, acls };
  }

  it('plans the deletion, keeps it on a plain re-run, and takes it down with --no-waf', async () => {
    const { dir, aclOn, acls } = await builtWithWaf();

    const plan = await runCli(['alb', '--no-waf', '--dry-run', '--json'], { cwd: dir, env: moto.env });
    expect(plan.code, plan.stderr).toBe(0);
    const planned = (JSON.parse(plan.stdout).actions as { kind: string; action: string }[]).filter((a) => a.action !== 'none');
    expect(planned.map((a) => `${a.action} ${a.kind}`)).toEqual(['delete AWS::WAFv2::WebACLAssociation', 'delete AWS::WAFv2::WebACL']);
    expect(aclOn()).toBe('albctl-waf');

    // Without the flag the remembered answer (--waf) holds: nothing changes.
    const again = await runCli(['alb'], { cwd: dir, env: moto.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/nothing to do/);
    expect(aclOn()).toBe('albctl-waf');

    const off = await runCli(['alb', '--no-waf'], { cwd: dir, env: moto.env });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/deleted web ACL albctl-waf/);
    expect(aclOn()).toBeUndefined();
    expect(acls().map((a) => a.Name)).not.toContain('albctl-waf');
    const counted = await census(moto.client, 'albctl');
    expect([counted.webAcls, counted.webAclAssociations, counted.loadBalancers]).toEqual([0, 0, 1]);
    const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8')) as { resources: Record<string, unknown> };
    expect(Object.keys(state.resources)).not.toContain('webAcl');
    expect(Object.keys(state.resources)).not.toContain('webAclAssociation');

    const settled = await runCli(['alb', '--no-waf'], { cwd: dir, env: moto.env });
    expect(settled.stderr).toMatch(/nothing to do/);
  }, 90_000);

  it("leaves a web ACL the user put on the load balancer since, and deletes only albctl's", async () => {
    const { dir, aws, lb, aclOn, acls } = await builtWithWaf();
    const mine = aws<{ Summary: AclSummary }>(
      'wafv2', 'create-web-acl', '--name', 'mine', '--scope', 'REGIONAL', '--default-action', 'Allow={}',
      '--visibility-config', 'SampledRequestsEnabled=false,CloudWatchMetricsEnabled=false,MetricName=mine',
    ).Summary;
    aws('wafv2', 'disassociate-web-acl', '--resource-arn', lb.LoadBalancerArn);
    aws('wafv2', 'associate-web-acl', '--web-acl-arn', mine.ARN, '--resource-arn', lb.LoadBalancerArn);
    expect(aclOn()).toBe('mine');

    const off = await runCli(['alb', '--no-waf'], { cwd: dir, env: moto.env });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/kept web ACL albctl-waf on albctl-alb: the load balancer is protected by mine, not albctl-waf/);
    expect(aclOn()).toBe('mine');
    expect(acls().map((a) => a.Name)).toEqual(['mine']);
  }, 90_000);

  it('init --no-waf after init --waf: planned as two deletions, then taken down', async () => {
    const dir = await tempDir();
    const built = await runCli(['init', '--yes', '--waf'], { cwd: dir, env: moto.env });
    expect(built.code, built.stderr).toBe(0);
    expect((await census(moto.client, 'albctl')).webAcls).toBe(1);
    const off = await runCli(['init', '--yes', '--no-waf'], { cwd: dir, env: moto.env });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stderr).toMatch(/^- delete +web ACL albctl-waf on albctl-alb$/m);
    expect(off.stderr).toMatch(/^plan: 2 to delete, 14 unchanged$/m);
    expect(off.stderr).toMatch(/deleted web ACL albctl-waf\b/);
    const counted = await census(moto.client, 'albctl');
    expect([counted.webAcls, counted.webAclAssociations, counted.loadBalancers]).toEqual([0, 0, 1]);
  }, 120_000);

  // The same teardown as destroy's (marked `deleting` before each call): killed after each of its
  // two calls, once moto did the work, a re-run finishes it.
  it.each(['DisassociateWebACL', 'DeleteWebACL'])('SIGKILL after %s of alb --no-waf: the next alb --no-waf finishes the job', async (action) => {
    // The state remembers its endpoint: every run goes through the proxy.
    const proxy = await startAwsProxy(moto.url);
    try {
      const { dir, aclOn, acls } = await builtWithWaf(awsEnv(proxy.url));
      const r = await killOnRule(['alb', '--no-waf'], { cwd: dir, proxy, rule: { action, hang: 'after' } });
      expect(r.killed, r.stderr).toBe(true);
      const state = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8')) as { resources: Record<string, { status: string }> };
      expect(Object.values(state.resources).map((x) => x.status)).toContain('deleting');
      const again = await runCli(['alb', '--no-waf'], { cwd: dir, env: awsEnv(proxy.url) });
      expect(again.code, again.stderr).toBe(0);
      expect(aclOn()).toBeUndefined();
      expect(acls()).toEqual([]);
    } finally {
      await proxy.stop();
    }
  }, 90_000);
});
