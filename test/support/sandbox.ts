// `albctl sandbox --keep --json` in tmux, as the end-to-end tests run it, and a second terminal's
// view of it: the ready document, albctl commands against its state, its data plane file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadtestJson } from '../../src/loadtest/index.js';
import { dataPlanePath, type DataPlaneDoc } from '../../src/sandbox/dataplane-file.js';
import { cliPath, runCli, tempDir, type CliResult } from './harness.js';
import { motoServerBinary } from './moto.js';
import { Terminal } from './tmux.js';

/** The shortest health checks AWS allows: every 5 s, healthy after 2, unhealthy after 2. */
export const shortHealth = { interval: 5, timeout: 2, healthy: 2, unhealthy: 2 };
/** The supervisor looks every second; a second of slack for a busy machine. */
const follow = 1 + 1;
export const becomesHealthy = (shortHealth.healthy + 1) * shortHealth.interval + follow;
export const becomesUnhealthy = shortHealth.unhealthy * shortHealth.interval + shortHealth.timeout + follow;

export interface Ready {
  stack: string;
  state: string;
  region: string;
  endpoint: string;
  dataPlane: { http: string; https: string; ca: string } | null;
  loadtest: LoadtestJson | null;
}

export interface KeptSandbox {
  term: Terminal;
  /** Where the sandbox was started. */
  dir: string;
  /** Another directory, where the second terminal's commands run. */
  elsewhere: string;
  ready: Ready;
  startedAt: number;
  /** albctl in the other directory, as the printed commands run it (credentials exported). */
  cli(...args: string[]): Promise<CliResult>;
  /** The flags that point a command at the sandbox's stack. */
  onStack(): string[];
  plane(): DataPlaneDoc;
  /** Seconds until `test` holds for the data plane file; fails after `limit` seconds. */
  secondsUntil(test: (d: DataPlaneDoc) => boolean, limit: number, what: string): Promise<number>;
}

/** Start it with the short health checks and `flags`; resolves once its ready document is written. */
export async function keptSandbox(flags: string[] = []): Promise<KeptSandbox> {
  const dir = await tempDir();
  const elsewhere = await tempDir();
  const startedAt = Date.now();
  const h = shortHealth;
  const health = `--health-interval ${h.interval} --health-timeout ${h.timeout} --healthy-threshold ${h.healthy} --unhealthy-threshold ${h.unhealthy}`;
  const term = new Terminal(`${process.execPath} ${cliPath} sandbox --yes --keep --json ${health} ${flags.join(' ')} > ready.json`, {
    cwd: dir,
    env: { ALBCTL_MOTO_SERVER: motoServerBinary(), HOME: dir, AWS_EC2_METADATA_DISABLED: 'true' },
  });
  const file = path.join(dir, 'ready.json');
  let ready: Ready;
  for (;;) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.endsWith('\n')) {
      ready = JSON.parse(text) as Ready;
      break;
    }
    if (/\[exit \d+\]/.test(term.screen())) throw new Error(`the sandbox ended:\n${term.screen()}`);
    if (Date.now() - startedAt > 150_000) throw new Error(`not ready after 150 s:\n${term.screen()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const plane = (): DataPlaneDoc => JSON.parse(readFileSync(dataPlanePath(ready.state), 'utf8')) as DataPlaneDoc;
  return {
    term,
    dir,
    elsewhere,
    ready,
    startedAt,
    cli: (...args) =>
      runCli(args, { cwd: elsewhere, env: { AWS_ACCESS_KEY_ID: 'sandbox', AWS_SECRET_ACCESS_KEY: 'sandbox', AWS_EC2_METADATA_DISABLED: 'true' }, timeoutMs: 120_000 }),
    onStack: () => ['--endpoint-url', ready.endpoint, '--region', ready.region, '--state', ready.state],
    plane,
    secondsUntil: async (test, limit, what) => {
      const t0 = Date.now();
      for (;;) {
        if (test(plane())) return (Date.now() - t0) / 1000;
        if (Date.now() - t0 > limit * 1000) throw new Error(`${what}: not within ${limit} s: ${JSON.stringify(plane().targets)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
}

export const errorCount = (r: LoadtestJson) => Object.values(r.errors).reduce((a, n) => a + n, 0);
/** Requests that got an answer or failed: those still in flight when a run ends are neither. */
export const ended = (r: LoadtestJson) => r.requests.total - r.requests.unfinished;

/** What the supervisor logged as in flight when it stopped servers, on the screen since `before`. */
export function inFlightOnRemoved(screen: string, before: string): { removed: number; inFlight: number } {
  const since = screen.slice(Math.max(0, before.length - 200));
  const hits = [...since.matchAll(/removed with (\d+) request\(s\) in flight/g)];
  return { removed: hits.length, inFlight: hits.reduce((a, m) => a + Number(m[1]), 0) };
}
