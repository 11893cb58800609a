// A packaged install, as a user gets one: `npm pack` of a copy of the sources without dist/ (so
// prepack must build it), `npm i -g` of the tarball into a temporary prefix, then the installed
// albctl, from a directory outside the checkout with an empty HOME and no AWS configuration:
// --help, `sandbox --yes` (moto from the test bed through ALBCTL_MOTO_SERVER, so nothing is
// downloaded), and `loadtest` against the sample server the package ships. On Node < 22 the
// installed albctl says how to get a newer one. One pack and one install for the whole file.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findHaproxy } from '../../src/sandbox/haproxy.js';
import { collect, type CliResult } from '../support/harness.js';
import { startSampleServer } from '../support/loadtest-servers.js';
import { hasMoto, motoServerBinary, repoRoot } from '../support/moto.js';

const nodeBin = path.dirname(process.execPath);
// npm as the machine has it, run by the Node.js running the tests (first on PATH).
const npm = 'npm';
/** The machine's own node, when it is older than 22 (it is on the test bed: Debian's 20). */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((n) => {
  const r = spawnSync(n, ['-p', 'process.versions.node'], { encoding: 'utf8' });
  return r.status === 0 && Number(r.stdout.split('.')[0]) < 22;
});
const hasLocalNode = existsSync(path.join(repoRoot, '.tools', 'node', 'bin', 'node'));

let work: string;
let prefix: string;
let installed: string;
let outside: string;
let home: string;
let tarball: string;
const timings: Record<string, number> = {};

function timed<T>(what: string, f: () => T): T {
  const t0 = Date.now();
  try {
    return f();
  } finally {
    timings[what] = Date.now() - t0;
  }
}

/** The installed albctl, as a user's shell runs it: only PATH (a Node >= 22 first), an empty HOME. */
function albctl(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): Promise<CliResult> {
  const child = spawn(path.join(prefix, 'bin', 'albctl'), args, {
    cwd: outside,
    env: { PATH: `${nodeBin}:/usr/local/bin:/usr/bin:/bin`, HOME: home, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return collect(child, { timeoutMs });
}

const oldEnv = () => ({ PATH: '/usr/bin:/bin', HOME: home });

beforeAll(() => {
  work = spawnSync('mktemp', ['-d', '/tmp/albctl-package-XXXXXX'], { encoding: 'utf8' }).stdout.trim();
  const src = path.join(work, 'src');
  // The sources as committed or about to be (tracked and untracked, not ignored): no dist/.
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of files) {
    if (!existsSync(path.join(repoRoot, f))) continue; // deleted in the work tree, not yet committed
    mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
    cpSync(path.join(repoRoot, f), path.join(src, f));
  }
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(src, 'node_modules'));
  const out = path.join(work, 'out');
  mkdirSync(out);
  const env = { ...process.env, PATH: `${nodeBin}:${process.env.PATH}` };
  timed('npm pack', () => execFileSync(npm, ['pack', '--pack-destination', out, '--loglevel=error'], { cwd: src, env, stdio: 'pipe' }));
  tarball = path.join(out, readdirSync(out).find((f) => f.endsWith('.tgz'))!);
  prefix = path.join(work, 'prefix');
  timed('npm install -g', () =>
    execFileSync(npm, ['install', '--global', '--prefix', prefix, tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: work,
      env,
      stdio: 'pipe',
    }),
  );
  installed = path.join(prefix, 'lib', 'node_modules', 'albctl');
  outside = path.join(work, 'elsewhere');
  home = path.join(work, 'home');
  mkdirSync(outside);
  mkdirSync(home);
}, 300_000);

afterAll(() => {
  process.stderr.write(`packaged install: ${Object.entries(timings).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)}s`).join(', ')}\n`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a packaged install (npm pack, npm i -g into a temporary prefix)', () => {
  it('ships the built CLI, its launcher and the sample server, and nothing of the checkout', () => {
    const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of ['package/bin/albctl', 'package/dist/cli.js', 'package/dist/loadtest/worker.js', 'package/src/webserver/app.py', 'package/package.json', 'package/README.md']) {
      expect(listed, f).toContain(f);
    }
    expect(listed.filter((f) => /\.ts$|^package\/(test|scripts|bench|docs|\.ci)\//.test(f))).toEqual([]);
    // Built by prepack in the copy, which had no dist/: every source module is there, compiled.
    const sources = execFileSync('git', ['ls-files', '-co', '--exclude-standard', 'src'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.endsWith('.ts') && existsSync(path.join(repoRoot, f)));
    for (const f of sources) expect(listed, f).toContain(`package/dist/${f.slice('src/'.length, -'.ts'.length)}.js`);
    // The installed files name no path of the checkout or of the copy it was packed from.
    const own = spawnSync('grep', ['-rlF', '-e', repoRoot, '-e', path.join(work, 'src'), 'bin', 'dist', 'src', 'package.json'], { cwd: installed, encoding: 'utf8' });
    expect(own.status, own.stdout).toBe(1); // grep: no match
    expect(own.stdout).toBe('');
  });

  it('albctl --help runs from another directory', async () => {
    const res = await albctl(['--help']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^Usage: albctl \[options\] \[command\]/);
    for (const c of ['init', 'sandbox', 'loadtest', 'destroy']) expect(res.stdout).toContain(`  ${c}`);
    const version = await albctl(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it.skipIf(!hasMoto() || findHaproxy() === null)('albctl sandbox --yes builds, serves, proves and tears down, with no download', async () => {
    // Faster health checks than the defaults: the targets are healthy after ~10 s instead of ~30 s.
    const res = await albctl(['sandbox', '--yes', '--health-interval', '5', '--health-timeout', '2', '--healthy-threshold', '2'], { ALBCTL_MOTO_SERVER: motoServerBinary() }, 240_000);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/stack albctl is ready/);
    expect(res.stderr).toMatch(/HTTPS:443 .* × 200/);
    expect(res.stderr).toMatch(/TLS verified with certificate\.crt/);
    expect(res.stderr).toMatch(/sandbox removed: every resource deleted/);
    expect(existsSync(path.join(home, '.cache', 'albctl'))).toBe(false); // moto came from ALBCTL_MOTO_SERVER
    expect(statSync(path.join(outside, '.albctl', 'albctl-sandbox-report.html')).size).toBeGreaterThan(10_000);
  }, 300_000);

  it('albctl loadtest measures the sample server the package ships', async () => {
    const app = path.join(installed, 'src', 'webserver', 'app.py');
    const server = await startSampleServer('pkg-1', app);
    try {
      const res = await albctl(['loadtest', `http://127.0.0.1:${server.port}/`, '-d', '1s', '-c', '2', '--json']);
      expect(res.code, res.stderr).toBe(0);
      const doc = JSON.parse(res.stdout);
      expect(doc.requests.ok).toBeGreaterThan(10);
      expect(doc.requests.ok).toBe(doc.requests.total - doc.requests.unfinished);
      expect(Object.keys(doc.targets)).toEqual(['pkg-1']);
    } finally {
      await server.stop();
    }
  });

  it.skipIf(!oldNode)('on Node < 22 the installed albctl says how to get a newer one (not `npm start`)', () => {
    const r = spawnSync(oldNode!, [path.join(prefix, 'bin', 'albctl'), '--help'], { cwd: outside, encoding: 'utf8', env: oldEnv() });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^albctl needs Node\.js 22 or newer \(this is v\d+\.\d+\.\d+\): install it from nodejs\.org or with your version manager, e\.g\. `nvm install 22`\n$/);
  });

  it.skipIf(!oldNode || !hasLocalNode)('on Node < 22 a checkout with .tools/node runs itself with that one', () => {
    const r = spawnSync(oldNode!, [path.join(repoRoot, 'bin', 'albctl'), '--version'], { encoding: 'utf8', env: oldEnv() });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.skipIf(!oldNode)('on Node < 22 a checkout without .tools/node says to run `npm start` once', () => {
    // The copy the package was made from is such a checkout.
    const r = spawnSync(oldNode!, [path.join(work, 'src', 'bin', 'albctl'), '--version'], { encoding: 'utf8', env: oldEnv() });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^albctl needs Node\.js 22 or newer \(this is v[\d.]+\): run `npm start` once in this checkout, which installs one into \.tools\/node, or install it from nodejs\.org/);
  });
});
