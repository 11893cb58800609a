// Issue 3's proof: a shell script runs every step command in turn; the official AWS CLI describes
// the stack as the seed says; `status --json` reports it; `destroy` leaves nothing.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCli, hasAwsCli } from '../support/awscli.js';
import { cliPath, runCli, tempDir, useMoto } from '../support/harness.js';
import { repoRoot } from '../support/moto.js';
import { expectNothingLeft, expectSeedStack } from '../support/seed-stack.js';

const moto = useMoto();
const script = path.join(repoRoot, 'test', 'scripts', 'console-walkthrough.sh');

describe.skipIf(!hasAwsCli())('the console walkthrough as a shell script', () => {
  it('builds the seed\'s stack step by step; status reports it; destroy leaves nothing', async () => {
    const dir = await tempDir();
    // The script runs "$ALBCTL": this test's Node with the built CLI, as an installed albctl would.
    const launcher = path.join(dir, 'albctl');
    await writeFile(launcher, `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, { mode: 0o755 });
    const env = { ...process.env, ...moto.env, ALBCTL: launcher, CI: 'true' };
    const out = execFileSync('bash', [script], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe(''); // human output goes to stderr

    const aws = awsCli(moto.url);
    expectSeedStack(aws, { instances: 2 });
    for (const f of ['private.pem', 'public.pem', 'certificate.csr', 'certificate.crt']) {
      expect(existsSync(path.join(dir, '.albctl', 'albctl', 'cert', f)), f).toBe(true);
    }

    const status = await runCli(['status', '--json'], { cwd: dir, env: moto.env });
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout).resources as { resource: string; state: string }[];
    expect(new Set(rows.map((r) => r.resource))).toEqual(
      new Set([
        'targetGroup', 'target', 'albSecurityGroup', 'webSecurityGroup', 'loadBalancer', 'httpListener', 'certificateFiles',
        'serverCertificate', 'httpsListener', 'stickiness', 'launchTemplate', 'autoScalingGroup', 'scalingPolicy', 'instances', 'instance',
        'loadBalancerAttributes', 'control',
      ]),
    );
    expect(rows.find((r) => r.resource === 'loadBalancer')!.state).toBe('active');

    const destroyed = await runCli(['destroy', '--yes'], { cwd: dir, env: moto.env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expectNothingLeft(aws);
    expect(existsSync(path.join(dir, '.albctl', 'albctl.json'))).toBe(false);
    expect(existsSync(path.join(dir, '.albctl', 'albctl', 'cert', 'private.pem'))).toBe(false);
  }, 120_000);
});
