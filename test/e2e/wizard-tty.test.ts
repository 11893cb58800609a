// The wizard as a person uses it: in a real pseudo-terminal (tmux), answering with Enter, arrows
// and typing; asserting on the screen and on what moto holds.
import { describe, expect, it, afterEach } from 'vitest';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { cliPath, tempDir, useMoto } from '../support/harness.js';
import { hasTmux, Terminal } from '../support/tmux.js';

const moto = useMoto();
let term: Terminal | undefined;
afterEach(() => term?.close());

const describeTty = hasTmux() ? describe : describe.skip;

async function targetGroups() {
  return (await moto.client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
}

describeTty('albctl init in a terminal', () => {
  it('Enter on every question builds the stack; a second run that changes answers converges', async () => {
    const dir = await tempDir();
    term = new Terminal(`${process.execPath} ${cliPath} init`, { cwd: dir, env: moto.env });
    await term.waitFor(/AWS account 123456789012, region us-east-1/);
    // Accept every proposal until the plan's confirmation, then confirm.
    for (let i = 0; i < 40; i++) {
      const screen = await term.waitFor(/\? .*(\n.*)*$|\[exit \d+\]/);
      if (/\[exit \d+\]/.test(screen)) break;
      if (/✔ Build it\? Yes/.test(screen)) break;
      term.send('Enter');
      await new Promise((r) => setTimeout(r, 250));
      if (/\? Build it\?/.test(screen)) break;
    }
    expect(await term.exitCode()).toBe(0);
    const screen = term.screen();
    expect(screen).toMatch(/\+ create\s+ElasticLoadBalancingV2::TargetGroup\s+albctl-tg/);
    expect(screen).toContain('stack albctl is ready');
    expect(screen).toContain('albctl destroy');
    expect((await targetGroups()).map((t) => [t.TargetGroupName, t.Port, t.HealthCheckPath])).toEqual([['albctl-tg', 8080, '/status']]);
    term.close();

    // Second session: change the health path by typing, keep the rest.
    term = new Terminal(`${process.execPath} ${cliPath} init`, { cwd: dir, env: moto.env });
    await term.answer('? VPC', 'Enter');
    await term.answer('? Subnets', 'Enter');
    await term.answer('? Port the web server listens on', 'Enter');
    await term.answer('? Health check path', 'C-u', '/healthz', 'Enter');
    for (const q of ['? Add HTTPS', '? Sticky sessions']) await term.answer(q, 'Enter');
    await term.answer('? Build it?', 'Enter');
    expect(await term.exitCode()).toBe(0);
    expect(term.screen()).toMatch(/~ update\s+ElasticLoadBalancingV2::TargetGroup\s+albctl-tg\s+health check path: \/status → \/healthz/);
    expect((await targetGroups())[0]!.HealthCheckPath).toBe('/healthz');
  }, 120_000);
});
