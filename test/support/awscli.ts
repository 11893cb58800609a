// The official AWS CLI (from PyPI, in .venv) pointed at moto: an independent look at what albctl built.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { awsEnv } from './harness.js';
import { repoRoot } from './moto.js';

export const awsCliPath = path.join(repoRoot, '.venv', 'bin', 'aws');
export const hasAwsCli = () => existsSync(awsCliPath);

export function awsCli(endpoint: string) {
  return <T = Record<string, unknown>>(...args: string[]): T => {
    const out = execFileSync(awsCliPath, [...args, '--endpoint-url', endpoint, '--output', 'json'], {
      env: { ...process.env, ...awsEnv(endpoint), AWS_DEFAULT_REGION: 'us-east-1' },
      encoding: 'utf8',
    });
    return (out.trim() ? JSON.parse(out) : {}) as T;
  };
}
