// Starts one moto server per vitest worker (pool id 1..maxWorkers) when moto is installed.
import type { TestProject } from 'vitest/node';
import { hasMoto, startMoto, type MotoServer } from './moto.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrls: string[];
  }
}

const servers: MotoServer[] = [];

export async function setup(project: TestProject): Promise<void> {
  const workers = Number(project.config.maxWorkers) || 2;
  if (hasMoto() && process.env.ALBCTL_TEST_NO_MOTO !== '1') {
    const started = await Promise.all(Array.from({ length: workers }, () => startMoto()));
    servers.push(...started);
  }
  project.provide('motoUrls', servers.map((s) => s.url));
}

export async function teardown(): Promise<void> {
  await Promise.all(servers.map((s) => s.stop()));
}
