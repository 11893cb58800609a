// Starts two moto servers per vitest worker (pool id 1..maxWorkers) when moto is installed: a
// plain one, and one with AWS managed IAM policies for the tests that attach one (--ssm).
import type { TestProject } from 'vitest/node';
import { hasMoto, startMoto, type MotoServer } from './moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrls: string[];
    motoManagedUrls: string[];
  }
}

const servers: MotoServer[] = [];
const managed: MotoServer[] = [];

export async function setup(project: TestProject): Promise<void> {
  const workers = Number(project.config.maxWorkers) || 2;
  if (hasMoto() && process.env.ALBCTL_TEST_NO_MOTO !== '1') {
    const [plain, withPolicies] = await Promise.all([
      Promise.all(Array.from({ length: workers }, () => startMoto())),
      Promise.all(Array.from({ length: workers }, () => startMoto({ managedPolicies: true }))),
    ]);
    servers.push(...plain);
    managed.push(...withPolicies);
  }
  project.provide('motoUrls', servers.map((s) => s.url));
  project.provide('motoManagedUrls', managed.map((s) => s.url));
}

export async function teardown(): Promise<void> {
  await Promise.all([...servers, ...managed].map((s) => s.stop()));
}
