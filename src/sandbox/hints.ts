// Commands for a second terminal while the sandbox stays up: complete (endpoint, region, state
// file), and runnable from any directory (albctl from the PATH when that is this albctl, else by
// its absolute path).
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { DataPlaneDoc } from './dataplane-file.js';

/** How to start this albctl from anywhere. */
export function albctlCommand(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string {
  const script = argv[1] ? real(path.resolve(argv[1])) : '';
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'albctl');
    if (script !== '' && existsSync(candidate) && real(candidate) === script) return 'albctl';
  }
  // bin/albctl finds its own Node when the one on the PATH is too old; dist/cli.js needs ours.
  if (path.basename(script) === 'albctl') return shellWord(script);
  return `${shellWord(execPath)} ${shellWord(script)}`;
}

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface HintFacts {
  albctl: string;
  stack: string;
  region: string;
  endpoint: string;
  state: string;
  dataPlane: DataPlaneDoc | null;
}

export function secondTerminal(f: HintFacts): string[] {
  const stack = f.stack === 'albctl' ? '' : ` --stack ${f.stack}`;
  const aws = `--endpoint-url ${f.endpoint} --region ${f.region} --state ${shellWord(f.state)}${stack}`;
  const lines = [
    'export AWS_ACCESS_KEY_ID=sandbox AWS_SECRET_ACCESS_KEY=sandbox',
    `${f.albctl} status ${aws}`,
    `${f.albctl} instances --count 3 ${aws}`,
  ];
  const dp = f.dataPlane;
  if (!dp) return lines;
  lines.push(`${f.albctl} loadtest --duration 10s --report loadtest.html --state ${shellWord(f.state)}${stack}`);
  const https = dp.listeners.find((l) => l.protocol === 'HTTPS' && l.address);
  const http = dp.listeners.find((l) => l.protocol === 'HTTP' && l.address);
  const dns = dp.loadBalancer.dnsName;
  if (https && dp.ca) lines.push(`curl --cacert ${shellWord(dp.ca)} --connect-to ${dns}:${https.port}:${https.address} https://${dns}${https.port === 443 ? '' : `:${https.port}`}/`);
  if (http) lines.push(`curl -i --connect-to ${dns}:${http.port}:${http.address} http://${dns}${http.port === 80 ? '' : `:${http.port}`}/`);
  return lines;
}
