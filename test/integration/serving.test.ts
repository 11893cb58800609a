// Waiting until the stack serves: `init --wait` and `status --wait` count the healthy targets
// (the group's desired capacity plus the stand-alone instances) and, on timeout, exit 1 naming
// each target that is not healthy with its reason code. moto calls every registered target
// healthy at once, so "unhealthy" is the fault proxy rewriting DescribeTargetHealth.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportUnhealthy } from '../support/aws-proxy.js';
import { errorLines } from '../support/edge.js';
import { awsEnv, runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto();

describe('--wait', () => {
  it('init --wait says how many serve; status --wait waits, and on timeout names the unhealthy target and why', async () => {
    const dir = await tempDir();
    const proxy = await moto.proxy();
    const cli = (args: string[]) => runCli(args, { cwd: dir, env: awsEnv(proxy.url) });
    const init = await cli(['init', '--yes', '--min-size', '1', '--instances', '1', '--wait', '--json']);
    expect(init.code, init.stderr).toBe(0);
    expect(JSON.parse(init.stdout).serving).toEqual({ healthy: 2, total: 2 });
    expect(init.stderr).toMatch(/ok serving: 2\/2 healthy/);
    expect(init.stderr).toMatch(/serving +2\/2 targets healthy/);
    expect(init.stderr).not.toMatch(/after about a minute/);

    const ok = await cli(['status', '--wait', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).serving).toEqual({ healthy: 2, total: 2 });

    const standalone = JSON.parse(await readFile(path.join(dir, '.albctl', 'albctl.json'), 'utf8')).resources.instances.outputs.instanceIds as string[];
    proxy.rules.push(reportUnhealthy((id) => standalone.includes(id)));
    const started = Date.now();
    const failed = await cli(['status', '--wait', '--wait-timeout', '2s']);
    expect(failed.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(errorLines(failed.stderr)).toEqual([
      `albctl: not serving after 2s: 1/2 healthy; ${standalone[0]} unhealthy (Target.FailedHealthChecks: Health checks failed)`,
    ]);
    expect(failed.stderr).toMatch(/1\/2 healthy/);
  }, 90_000);
});
