// The wizard as a person uses it: in a real pseudo-terminal (tmux), answering with Enter, arrows
// and typing; asserting on the screen and on what moto holds.
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand } from '@aws-sdk/client-auto-scaling';
import { IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { startAwsProxy } from '../support/aws-proxy.js';
import { awsEnv, cliPath, tempDir, useMoto } from '../support/harness.js';
import { hasTmux, Terminal } from '../support/tmux.js';

const moto = useMoto();
let term: Terminal | undefined;
afterEach(() => term?.close());

const describeTty = hasTmux() ? describe : describe.skip;
const answered = (screen: string) => (screen.match(/^✔ /gm) ?? []).length;

/** Press Enter on every question as it appears, until the command ends. */
async function enterThroughEverything(t: Terminal): Promise<string[]> {
  const prompts: string[] = [];
  for (;;) {
    const screen = await t.waitFor(/^\? .*|\[exit \d+\]/m, 60_000);
    if (/\[exit \d+\]/.test(screen)) return prompts;
    const before = answered(screen);
    prompts.push(/^\? (.*)$/m.exec(screen)![1]!.trim());
    t.send('Enter');
    await t.waitFor((s) => answered(s) > before || /\[exit \d+\]/.test(s));
  }
}

describeTty('albctl init in a terminal', () => {
  it('Enter on every question builds the whole stack; a second session with arrows and typing changes only what differs', async () => {
    const dir = await tempDir();
    const elb = moto.client(ElasticLoadBalancingV2Client);
    term = new Terminal(`${process.execPath} ${cliPath} init`, { cwd: dir, env: moto.env });
    const prompts = await enterThroughEverything(term);
    expect(await term.exitCode()).toBe(0);
    expect(prompts[0]).toMatch(/^Stack name/);
    expect(prompts).toContain('VPC');
    expect(prompts.at(-1)).toMatch(/^Build it\?/);
    const screen = term.screen();
    expect(screen).toMatch(/AWS account 123456789012, region us-east-1/);
    expect(screen).toMatch(/\+ create\s+target group albctl-tg HTTP:8080 → \/status/);
    // Stickiness is a setting of the new target group: planned and built as an update from off.
    expect(screen).toMatch(/~ update\s+stickiness on albctl-tg: lb_cookie for 1d\n\s+stickiness: off → lb_cookie for 1d \(86400s\)\n/);
    expect(screen).toMatch(/✔ updated stickiness on albctl-tg: lb_cookie for 1d/);
    expect(screen).toMatch(/plan: 12 to create, 2 to change\n/);
    const dns = /load balancer\s+http:\/\/(\S+)\//.exec(screen)![1]!;
    expect(screen).toContain(`curl --cacert ${dir}/.albctl/albctl/cert/certificate.crt https://${dns}/`);
    expect(screen).toMatch(/albctl destroy/);
    // What moto holds: the whole stack.
    const [lb] = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
    expect(lb).toMatchObject({ DNSName: dns, Scheme: 'internet-facing', Type: 'application' });
    const listeners = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn }))).Listeners!;
    expect(listeners.map((l) => `${l.Protocol}:${l.Port}`).sort()).toEqual(['HTTP:80', 'HTTPS:443']);
    expect((await moto.client(IAMClient).send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList).toHaveLength(1);
    const [group] = (await moto.client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups!;
    expect(group).toMatchObject({ MinSize: 0, MaxSize: 4, DesiredCapacity: 0 });
    term.close();

    // Second session: arrows to pick another instance type, typing for the stickiness duration,
    // 'n' for the redirect (on by default with HTTPS); Enter elsewhere.
    term = new Terminal(`${process.execPath} ${cliPath} init`, { cwd: dir, env: moto.env });
    const changes: Record<string, string[]> = {
      'Instance type': ['Down', 'Enter'],
      'Stickiness duration': ['12h', 'Enter'],
      'Redirect HTTP to HTTPS?': ['n', 'Enter'],
    };
    for (;;) {
      const s = await term.waitFor(/^\? .*|\[exit \d+\]/m, 60_000);
      if (/\[exit \d+\]/.test(s)) break;
      const before = answered(s);
      const prompt = /^\? (.*)$/m.exec(s)![1]!;
      const keys = Object.entries(changes).find(([q]) => prompt.startsWith(q))?.[1] ?? ['Enter'];
      term.send(...keys);
      await term.waitFor((x) => answered(x) > before || /\[exit \d+\]/.test(x));
    }
    expect(await term.exitCode()).toBe(0);
    const second = term.screen();
    // each change on the line under its resource
    expect(second).toMatch(/~ update\s+launch template albctl-lt \(t3\.small\)\n\s+instance type: t3\.micro → t3\.small\n/);
    expect(second).toMatch(/~ update\s+stickiness on albctl-tg: lb_cookie for 12h\n\s+stickiness: lb_cookie for 1d \(86400s\) → lb_cookie for 12h \(43200s\)\n/);
    expect(second).toMatch(/~ update\s+HTTP listener :80 → albctl-tg/);
    expect(second).toMatch(/plan: 3 to change, 11 unchanged/);
    const [tg] = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups!;
    const attrs = (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg!.TargetGroupArn }))).Attributes!;
    expect(attrs).toContainEqual({ Key: 'stickiness.lb_cookie.duration_seconds', Value: '43200' });
    const http = (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn }))).Listeners!.find((l) => l.Port === 80)!;
    expect(http.DefaultActions![0]).toMatchObject({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn });
    const versions = await moto.client(EC2Client).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateName: 'albctl-lt', Versions: ['$Default'] }));
    expect(versions.LaunchTemplateVersions![0]!.LaunchTemplateData!.InstanceType).toBe('t3.small');
    expect((await moto.client(AutoScalingClient).send(new DescribePoliciesCommand({}))).ScalingPolicies).toHaveLength(1);
  }, 180_000);

  it('at 110 columns the subnets answer breaks between subnets, never inside an id', async () => {
    const dir = await tempDir();
    const subnets = (await moto.network()).subnets;
    term = new Terminal(`${process.execPath} ${cliPath} init`, { cwd: dir, env: moto.env, width: 110 });
    await term.answer('? Stack name', 'Enter');
    await term.answer('? VPC', 'Enter');
    await term.answer('? Subnets', 'Enter'); // the proposal: one subnet per AZ, in three AZs
    await term.waitFor('? Port the web server listens on');
    term.send('C-c');
    expect(await term.exitCode()).toBe(130);
    const rows = term.screen({ joined: false }).split('\n');
    const first = rows.findIndex((l) => l.startsWith('✔ Subnets'));
    const answer = rows.slice(first, rows.findIndex((l, i) => i > first && !l.startsWith('  ')));
    expect(answer.length, answer.join('\n')).toBeGreaterThan(1); // it did not fit on one line
    for (const l of answer) expect(l.length, l).toBeLessThanOrEqual(110);
    const picked = answer.join(' ').match(/subnet-[0-9a-f]+ \(us-east-1[a-f]\)/g) ?? [];
    expect(picked, answer.join('\n')).toHaveLength(3);
    for (const p of picked) expect(subnets.map((s) => `${s.id} (${s.az})`)).toContain(p);
  }, 60_000);

  it('Ctrl-C while building stops with exit 130; the next init offers to resume and finishes without duplicates', async () => {
    const dir = await tempDir();
    const proxy = await startAwsProxy(moto.url);
    try {
      // A slow load balancer gives the person time to press Ctrl-C mid-build.
      proxy.rules.push({ action: 'CreateLoadBalancer', delayMs: 4000 });
      term = new Terminal(`${process.execPath} ${cliPath} init --yes`, { cwd: dir, env: awsEnv(proxy.url) });
      await term.waitFor(/load balancer albctl-alb/);
      await proxy.waitFor('CreateLoadBalancer');
      term.send('C-c');
      expect(await term.exitCode()).toBe(130);
      expect(term.screen()).toMatch(/SIGINT: stopping after the current AWS call/);
      expect(term.screen()).toMatch(/interrupted: the state is consistent; run the command again to resume/);
      term.close();

      term = new Terminal(`${process.execPath} ${cliPath} init`, { cwd: dir, env: awsEnv(proxy.url) });
      await term.answer('? Stack name', 'Enter');
      await term.waitFor(/the last init of stack albctl .* was interrupted with \d+ resource\(s\) built/);
      await term.answer('? Resume it with the same answers?', 'Enter');
      await term.answer('? Build it?', 'Enter');
      expect(await term.exitCode()).toBe(0);
      expect(term.screen()).toMatch(/stack albctl is ready/);
      const lbs = (await moto.client(ElasticLoadBalancingV2Client).send(new DescribeLoadBalancersCommand({}))).LoadBalancers!;
      expect(lbs.map((l) => l.LoadBalancerName)).toEqual(['albctl-alb']);
    } finally {
      await proxy.stop();
    }
  }, 120_000);
});
