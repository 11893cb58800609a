// `albctl loadtest` as a user runs it (the built CLI): --json on stdout, the stack's HTTPS
// listener and certificate as the default target, --report, usage errors.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, selfSignedCert, startNginx, which, type Cert, type Nginx } from '../../support/loadtest-servers.js';

const built = join(REPO, 'dist', 'cli.js');
const hasCommand = existsSync(built) && readFileSync(built, 'utf8').includes('./commands/loadtest.js');

function albctl(args: string[], cwd: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(REPO, 'bin', 'albctl'), ...args], { cwd, encoding: 'utf8', timeout: 30_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!hasCommand || which('nginx') === null)('albctl loadtest (built CLI)', () => {
  let cert: Cert;
  let nginx: Nginx;
  let dir: string;

  beforeAll(async () => {
    cert = selfSignedCert();
    nginx = await startNginx({ cert });
    dir = mkdtempSync(join(tmpdir(), 'albctl-loadtest-cli-'));
  });
  afterAll(async () => {
    await nginx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the --json document on stdout and the summary on stderr', () => {
    const r = albctl(['loadtest', `http://127.0.0.1:${nginx.port}/`, '-n', '500', '-c', '4', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { requests: { total: number }; statusCodes: Record<string, number>; targets: Record<string, number> };
    expect(doc.requests.total).toBe(500);
    expect(doc.statusCodes).toEqual({ 200: 500 });
    expect(doc.targets).toEqual({ nginx: 500 });
    expect(r.stderr).toMatch(/requests\s+500 total/);
  });

  it("defaults to the stack's HTTPS listener and trusts its certificate.crt", () => {
    const at = new Date().toISOString();
    const created = (outputs: Record<string, unknown>) => ({ kind: 'x', status: 'created', createdAt: at, updatedAt: at, outputs });
    mkdirSync(join(dir, '.albctl'), { recursive: true });
    writeFileSync(
      join(dir, '.albctl', 'web.json'),
      JSON.stringify({
        version: 1,
        stack: 'web',
        createdAt: at,
        updatedAt: at,
        inputs: {},
        resources: {
          loadBalancer: created({ dnsName: 'localhost' }),
          httpsListener: created({ url: `https://localhost:${nginx.tlsPort}/` }),
          certificateFiles: created({ certificate: cert.cert }),
        },
      }),
    );
    const report = join(dir, 'report.html');
    const r = albctl(['loadtest', '--stack', 'web', '-d', '1', '-c', '2', '--report', report], dir);
    expect(r.code, r.stderr).toBe(0);
    // Without --json the summary is the result: stdout; the banner and progress stay on stderr.
    expect(r.stdout).toContain(`GET https://localhost:${nginx.tlsPort}/`);
    expect(r.stdout).toMatch(/errors\s+none/);
    expect(r.stderr).toContain(`load test https://localhost:${nginx.tlsPort}/`);
    expect(r.stderr).not.toMatch(/errors\s+none/);
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/);

    // --insecure replaces the stack's certificate.
    expect(albctl(['loadtest', '--stack', 'web', '-n', '10', '-c', '1', '--insecure'], dir).code).toBe(0);
  });

  it('exits 2 with one line naming the flag', () => {
    const r = albctl(['loadtest', 'http://127.0.0.1:1/', '--rate', 'fast'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('albctl: --rate must be a number between 0.1 and 10000000 requests per second (got "fast")');
    const none = albctl(['loadtest', '--stack', 'empty'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs a URL/);
    const report = albctl(['loadtest', 'http://127.0.0.1:1/', '--report', '/nonexistent/dir/r.html'], dir);
    expect(report.code).toBe(2);
    expect(report.stderr).toMatch(/--report/);
    // A --ca that cannot be read is said before the run's banner ("load test …"): the error is all there is.
    const ca = albctl(['loadtest', `http://127.0.0.1:${nginx.port}/`, '-n', '10', '--ca', 'missing.pem'], dir);
    expect(ca.code).toBe(2);
    expect(ca.stderr.trim()).toMatch(/^albctl: --ca missing\.pem cannot be read \(ENOENT\)[^\n]*$/);
  });
});
