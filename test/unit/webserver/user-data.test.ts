import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  USER_DATA_MAX_BYTES,
  defaultUserData,
  encodeUserData,
  readAppSource,
  readUserDataFile,
  renderUserData,
} from '../../../src/webserver/user-data.js';

const APP = new URL('../../../src/webserver/app.py', import.meta.url);
const appSource = readFileSync(APP, 'utf8');
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'albctl-userdata-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The body of the quoted heredoc that starts on the line `cat > <target> <<'MARKER'`. */
function heredoc(script: string, target: string): string {
  const start = new RegExp(`^cat > ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} <<'([A-Z_0-9]+)'\\n`, 'm').exec(script);
  if (!start) throw new Error(`no heredoc for ${target}`);
  const bodyStart = start.index + start[0].length;
  const end = script.indexOf(`\n${start[1]}\n`, bodyStart - 1);
  return script.slice(bodyStart, end + 1);
}

describe('defaultUserData', () => {
  const script = defaultUserData();

  it('is a strict bash script that passes bash -n', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain('\nset -euo pipefail\n');
    const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('holds exactly app.py between the heredoc markers', () => {
    expect(readAppSource()).toBe(appSource);
    expect(heredoc(script, '/opt/albctl/app.py')).toBe(appSource);
    expect(script).toContain("cat > /opt/albctl/app.py <<'ALBCTL_APP_EOF'\n");
  });

  it('installs a systemd service run by a dynamic user, restarted always, on port 8080', () => {
    const unit = heredoc(script, '/etc/systemd/system/albctl-web.service');
    expect(unit).toContain('DynamicUser=yes');
    expect(unit).toContain('Restart=always');
    expect(unit).toContain('ExecStart=/usr/bin/python3 /opt/albctl/app.py --port 8080');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(unit).not.toContain('AmbientCapabilities');
    expect(script).toMatch(/systemctl daemon-reload\nsystemctl enable --now albctl-web\.service\n$/);
    expect(script).not.toMatch(/\b(curl|wget|dnf|yum|pip3?|git)\b/);
  });

  it('fits EC2\'s 16 KB with room to spare', () => {
    expect(Buffer.byteLength(script)).toBeLessThan(USER_DATA_MAX_BYTES * 0.8);
  });

  it('run with the paths redirected, writes app.py byte for byte and starts the service', () => {
    const root = join(tmp, 'root');
    const bin = join(tmp, 'bin');
    mkdirSync(join(root, 'etc/systemd/system'), { recursive: true });
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$@" >> ${join(tmp, 'systemctl.log')}\n`);
    chmodSync(join(bin, 'systemctl'), 0o755);
    const redirected = script.replaceAll('/opt/albctl', join(root, 'opt/albctl')).replaceAll('/etc/systemd', join(root, 'etc/systemd'));
    const r = spawnSync('bash', ['-c', redirected], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(root, 'opt/albctl/app.py'), 'utf8')).toBe(appSource);
    const unit = readFileSync(join(root, 'etc/systemd/system/albctl-web.service'), 'utf8');
    expect(unit).toBe(heredoc(redirected, join(root, 'etc/systemd/system/albctl-web.service')));
    expect(unit).toContain(`ExecStart=/usr/bin/python3 ${join(root, 'opt/albctl/app.py')} --port 8080`);
    expect(readFileSync(join(tmp, 'systemctl.log'), 'utf8')).toBe('daemon-reload\nenable --now albctl-web.service\n');
  });

  const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0 && existsSync('/usr/bin/python3');
  it.skipIf(!hasAnalyze)('the unit passes systemd-analyze verify', () => {
    const file = join(tmp, 'albctl-web.service');
    writeFileSync(file, heredoc(script, '/etc/systemd/system/albctl-web.service').replace('/opt/albctl/app.py', APP.pathname));
    const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => l.includes('albctl-web'))).toEqual([]);
    expect(r.status).toBe(0);
  });
});

// After `npm run build`: dist/webserver/ has no app.py (tsc copies no .py), so the loader must
// find ../../src/webserver/app.py (package.json ships src/webserver).
const built = new URL('../../../dist/webserver/user-data.js', import.meta.url);
describe.skipIf(!existsSync(built))('the built module', () => {
  it('finds app.py from dist/', async () => {
    const mod = (await import(built.href)) as { readAppSource: () => string };
    expect(mod.readAppSource()).toBe(appSource);
  });
});

describe('renderUserData', () => {
  it('takes the port, granting the bind capability below 1024', () => {
    const unit = heredoc(renderUserData('print(1)\n', { port: 80 }), '/etc/systemd/system/albctl-web.service');
    expect(unit).toContain('ExecStart=/usr/bin/python3 /opt/albctl/app.py --port 80');
    expect(unit).toContain('AmbientCapabilities=CAP_NET_BIND_SERVICE');
  });

  it.each([0, 65536, 80.5, Number.NaN])('rejects port %s naming --port', (port) => {
    expect(() => renderUserData('x\n', { port })).toThrow(UsageError);
    expect(() => renderUserData('x\n', { port })).toThrow(/^--port must be/);
  });

  it('keeps sources with $, backticks, backslashes and no final newline intact', () => {
    const source = 'a = "$HOME `id` \\n \\\\"\nprint(a)';
    const script = renderUserData(source);
    expect(heredoc(script, '/opt/albctl/app.py')).toBe(`${source}\n`);
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
  });

  it('picks another marker when the source contains the default one', () => {
    const source = 'x = 1\nALBCTL_APP_EOF\ny = 2\n';
    const script = renderUserData(source);
    expect(script).toContain("<<'ALBCTL_APP_EOF_1'");
    expect(heredoc(script, '/opt/albctl/app.py')).toBe(source);
  });
});

describe('encodeUserData', () => {
  it('round-trips through base64', () => {
    const script = defaultUserData();
    const encoded = encodeUserData(script);
    expect(encoded).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(script);
    const unicode = '#!/bin/bash\necho "héllo ✓"\n';
    expect(Buffer.from(encodeUserData(unicode), 'base64').toString('utf8')).toBe(unicode);
  });

  it('refuses more than 16 KB (counted in bytes, before base64), naming --user-data', () => {
    expect(() => encodeUserData('x'.repeat(USER_DATA_MAX_BYTES))).not.toThrow();
    expect(() => encodeUserData('x'.repeat(USER_DATA_MAX_BYTES + 1))).toThrow(/^--user-data: the user data is 16385 bytes/);
    expect(() => encodeUserData('é'.repeat(USER_DATA_MAX_BYTES / 2 + 1))).toThrow(UsageError);
  });
});

describe('readUserDataFile', () => {
  it('reads a script', async () => {
    const file = join(tmp, 'ok.sh');
    writeFileSync(file, '#!/bin/bash\necho hi\n');
    await expect(readUserDataFile(file)).resolves.toBe('#!/bin/bash\necho hi\n');
  });

  it.each([
    ['missing', null, /^--user-data: cannot read .*: no such file$/],
    ['empty', '\n', /is empty/],
    ['gzip', 'GZ', /gzip-compressed/],
    ['too big', 'x'.repeat(USER_DATA_MAX_BYTES + 1), /at most 16384 bytes/],
  ])('%s is a usage error naming --user-data', async (_what, content, message) => {
    const file = join(tmp, `bad-${_what}`);
    if (content === 'GZ') writeFileSync(file, gzipSync('#!/bin/bash\n'));
    else if (content !== null) writeFileSync(file, content);
    const err = await readUserDataFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(message);
  });
});
