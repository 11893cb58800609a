// The default user data of the launch template: install src/webserver/app.py as a systemd
// service on Amazon Linux 2023, which ships python3 (3.9): nothing is downloaded at boot.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { RuntimeError, UsageError } from '../errors.js';

/** EC2's limit on user data, counted before base64 encoding (RunInstances / launch templates). */
export const USER_DATA_MAX_BYTES = 16 * 1024;
export const DEFAULT_WEB_PORT = 8080;
export const APP_PATH_ON_INSTANCE = '/opt/albctl/app.py';
export const WEB_SERVICE_NAME = 'albctl-web.service';

export interface UserDataOptions {
  /** The port the server listens on (the target group's port); default 8080. */
  port?: number;
}

/**
 * A bash script for cloud-init: writes `appSource` byte for byte through a quoted heredoc (no
 * expansion), a systemd unit running it as a throwaway DynamicUser, then enables and starts it.
 */
export function renderUserData(appSource: string, opts: UserDataOptions = {}): string {
  const port = opts.port ?? DEFAULT_WEB_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be a whole number from 1 to 65535 (got ${port})`);
  }
  const app = appSource.endsWith('\n') ? appSource : `${appSource}\n`;
  const appMarker = uniqueMarker('ALBCTL_APP_EOF', app);
  const unit = [
    '[Unit]',
    'Description=albctl sample web server (app.py)',
    'Wants=network-online.target',
    'After=network-online.target',
    // Restart=always must not give up after systemd's default 5 starts in 10 s.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    // A fresh unprivileged user each start; implies ProtectSystem=strict, PrivateTmp, RemoveIPC.
    'DynamicUser=yes',
    ...(port < 1024 ? ['AmbientCapabilities=CAP_NET_BIND_SERVICE'] : []),
    `ExecStart=/usr/bin/python3 ${APP_PATH_ON_INSTANCE} --port ${port}`,
    'Restart=always',
    'RestartSec=1',
    'NoNewPrivileges=yes',
    'ProtectHome=yes',
    'PrivateDevices=yes',
    'Environment=PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  const unitMarker = uniqueMarker('ALBCTL_UNIT_EOF', unit);

  return [
    '#!/bin/bash',
    `# albctl: the sample web server as ${WEB_SERVICE_NAME} on port ${port} (Amazon Linux 2023; nothing downloaded)`,
    'set -euo pipefail',
    '',
    'install -d -m 0755 /opt/albctl',
    `cat > ${APP_PATH_ON_INSTANCE} <<'${appMarker}'`,
    `${app}${appMarker}`,
    `chmod 0644 ${APP_PATH_ON_INSTANCE}`,
    '',
    `cat > /etc/systemd/system/${WEB_SERVICE_NAME} <<'${unitMarker}'`,
    `${unit}${unitMarker}`,
    '',
    'systemctl daemon-reload',
    `systemctl enable --now ${WEB_SERVICE_NAME}`,
    '',
  ].join('\n');
}

/** The heredoc must not end early: pick a marker no line of the body equals. */
function uniqueMarker(base: string, body: string): string {
  const lines = new Set(body.split('\n'));
  let marker = base;
  for (let i = 1; lines.has(marker); i++) marker = `${base}_${i}`;
  return marker;
}

/**
 * Where app.py is. Next to this module under vitest (src/webserver/), and, because tsc does not
 * copy .py files, at ../../src/webserver/app.py from dist/webserver/ (package.json ships
 * src/webserver for this).
 */
export function appPath(): string {
  const candidates = [new URL('./app.py', import.meta.url), new URL('../../src/webserver/app.py', import.meta.url)];
  for (const url of candidates) {
    if (existsSync(url)) return fileURLToPath(url);
  }
  throw new RuntimeError(
    `the sample web server is missing: looked for ${candidates.map((u) => fileURLToPath(u)).join(' and ')}`,
  );
}

/** app.py's text. */
export function readAppSource(): string {
  return readFileSync(appPath(), 'utf8');
}

/** The default user data: app.py installed as a service. */
export function defaultUserData(opts: UserDataOptions = {}): string {
  return renderUserData(readAppSource(), opts);
}

/** A UsageError naming `flag` when the script is over EC2's 16 KB. */
export function checkUserDataSize(script: string, flag = '--user-data'): void {
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes > USER_DATA_MAX_BYTES) {
    throw new UsageError(
      `${flag}: the user data is ${bytes} bytes; EC2 allows at most ${USER_DATA_MAX_BYTES} bytes (16 KB) before base64 encoding`,
    );
  }
}

/** Base64, as launch templates want it, after the size check. */
export function encodeUserData(script: string, flag = '--user-data'): string {
  checkUserDataSize(script, flag);
  return Buffer.from(script, 'utf8').toString('base64');
}

/** `--user-data <file>`: its text, size-checked; a missing or unreadable file is a UsageError. */
export async function readUserDataFile(path: string, flag = '--user-data'): Promise<string> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'unreadable');
    throw new UsageError(`${flag}: cannot read ${path}: ${why}`, { cause: err });
  }
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    throw new UsageError(`${flag}: ${path} is gzip-compressed; pass the plain script (albctl encodes it)`);
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') throw new UsageError(`${flag}: ${path} is empty`);
  checkUserDataSize(text, flag);
  return text;
}
