// The README's main job without a terminal: `npm start` runs `init --sandbox auto` with no AWS
// credentials, in CI (CI=true, nothing on stdin): the sandbox builds the stack in its own
// emulator, serves it, proves it with a load test and a report, and tears it all down without
// waiting for anyone. Without HAProxy it still works, as the control plane only, and says how
// to get the data plane.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHaproxy } from '../../src/sandbox/haproxy.js';
import { runCli, tempDir } from '../support/harness.js';
import { hasMoto, motoServerBinary } from '../support/moto.js';

const noAws = (home: string) => ({ AWS_EC2_METADATA_DISABLED: 'true', ALBCTL_MOTO_SERVER: motoServerBinary(), HOME: home });
// The shortest health checks AWS allows, so the targets pass theirs in about 10 s instead of 30.
const quickHealth = ['--health-interval', '5', '--health-timeout', '2', '--healthy-threshold', '2'];

describe.skipIf(!hasMoto())('the sandbox without a terminal', () => {
  it.skipIf(findHaproxy() === null)("npm start's `init --sandbox auto` builds, serves, proves and tears down, asking nothing", async () => {
    const dir = await tempDir();
    const res = await runCli(['init', '--sandbox', 'auto', ...quickHealth], { cwd: dir, env: noAws(dir), timeoutMs: 150_000 });
    expect(res.code, res.stderr).toBe(0);
    const err = res.stderr;
    expect(err).toMatch(/no AWS credentials are configured: starting the sandbox instead/);
    expect(err).toMatch(/stack albctl is ready: 14 change\(s\)/);
    expect(err).toMatch(/ok data plane: HAProxy [\d.]+ \(pid \d+\) serving 2 listener\(s\)/);
    expect(err).toMatch(/load balancer +http:\/\/albctl-alb-1\.us-east-1\.elb\.amazonaws\.com\/, served here by HAProxy at http:\/\/127\.0\.0\.1:\d+\//);
    expect(err).toMatch(/HTTPS:443 +[\d,]+ requests in 3\.0s with cookies: [\d,]+ × 200\n +TLS verified with certificate\.crt/);
    expect(err).toMatch(/stickiness: 8 of 8 virtual users stayed on one target/);
    // With HTTPS on, HTTP redirects by default (FSBP ELB.1).
    expect(err).toMatch(/HTTP:80 +[\d,]+ requests in 3\.0s without cookies: [\d,]+ × 301\n +the HTTP listener redirects to HTTPS \(301\)/);
    expect(err).not.toMatch(/Keep the sandbox up/); // no question without a terminal
    expect(err).toMatch(/sandbox removed: every resource deleted, the data plane and the emulator stopped/);
    const report = path.join(dir, '.albctl', 'albctl-sandbox-report.html');
    expect(err).toContain(`report     ${report}`);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/i);
    // The state lived in a temp dir: only the report is left here.
    expect(readdirSync(path.join(dir, '.albctl'))).toEqual(['albctl-sandbox-report.html']);
  }, 180_000);

  it('without HAProxy: one line on how to install it, the control plane as before, dataPlane null in --json', async () => {
    const dir = await tempDir();
    const res = await runCli(['sandbox', '--yes', '--json', '--instances', '1'], {
      cwd: dir,
      env: { ...noAws(dir), ALBCTL_HAPROXY: path.join(dir, 'no-haproxy-here') },
      timeoutMs: 90_000,
    });
    expect(res.code, res.stderr).toBe(0);
    const hint = res.stderr.split('\n').filter((l) => /HAProxy/.test(l));
    expect(hint).toEqual([expect.stringMatching(/^sandbox: no HAProxy on this machine, so the load balancer will serve no traffic \(control plane only\); for the data plane: (sudo apt-get install haproxy|brew install haproxy|.+)$/)]);
    expect(res.stderr).toMatch(/what the emulator holds now/);
    expect(res.stderr).toMatch(/sandbox removed/);
    const doc = JSON.parse(res.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({ stack: 'albctl', region: 'us-east-1', dataPlane: null, loadtest: null });
    expect(doc.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.state).toMatch(/albctl-sandbox-.*\/albctl\.json$/);
    expect(existsSync(path.join(dir, '.albctl'))).toBe(false);
  }, 120_000);
});
