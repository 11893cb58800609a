// The moto test bed: real AWS API calls against moto's standalone server on loopback, started the
// same way the sandbox starts it (src/sandbox/emulator.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../src/sandbox/emulator.js';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export function motoServerBinary(): string {
  return process.env.MOTO_SERVER ?? path.join(repoRoot, '.venv', 'bin', 'moto_server');
}

export function hasMoto(): boolean {
  return existsSync(motoServerBinary());
}

export type MotoServer = Emulator;

/**
 * `managedPolicies`: with AWS managed policies, as an AWS account has them (--ssm attaches one).
 * moto loads them into each fresh account on its first IAM call (about a second after every
 * reset), so only the tests that need them use such a server.
 */
export function startMoto(opts: { managedPolicies?: boolean } = {}): Promise<MotoServer> {
  return startEmulator(motoServerBinary(), opts);
}

export async function resetMoto(url: string): Promise<void> {
  const res = await fetch(`${url}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}
