// Benchmark (not a test): albctl loadtest against autocannon and wrk -t1 on the same nginx on
// loopback, HTTP and HTTPS, 50 connections, several rounds with the tools' order rotated each
// round, medians reported. Goals (issue 5): >= 1.5x autocannon and >= 0.7x wrk -t1 req/s over
// HTTP; >= 1.4x autocannon over HTTPS.
//
//   bench/loadtest [--rounds 5] [--seconds 5] [--connections 50] [--nginx-workers 1] [--no-pin] [--only http|https]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

// Run by Node from source: load the test support by its .ts path (NodeNext would say .js).
type Servers = typeof import('../test/support/loadtest-servers.js');
const servers = (await import(pathToFileURL(join(import.meta.dirname, '..', 'test', 'support', 'loadtest-servers.ts')).href)) as Servers;
const { REPO, selfSignedCert, startNginx, which } = servers;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    'nginx-workers': { type: 'string', default: '1' },
    'no-pin': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const rounds = Number(args.rounds);
const seconds = Number(args.seconds);
const connections = Number(args.connections);

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  note?: string;
}

type Tool = 'albctl' | 'autocannon' | 'wrk';

// With taskset and at least two cores, the server gets the last core(s) and every client the
// others, so that the scheduler cannot put a client and nginx on one core for part of a run.
const cores = availableParallelism();
const serverCores = Math.min(Number(args['nginx-workers']), cores - 1);
const pin = !args['no-pin'] && which('taskset') !== null && cores >= 2;
const clientCpus = pin ? `0-${cores - serverCores - 1}` : '';
const serverCpus = pin ? `${cores - serverCores}-${cores - 1}` : '';

function run(cmd: string, argv: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = pin
      ? spawn('taskset', ['-c', clientCpus, cmd, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}: ${err.slice(-500)}`));
    });
  });
}

const node = process.execPath;
// The built CLI when it registers the loadtest command; else the library from source.
const builtCli = join(REPO, 'dist', 'cli.js');
const useCli = existsSync(builtCli) && readFileSync(builtCli, 'utf8').includes('./commands/loadtest.js');

async function albctl(url: string, ca: string | null): Promise<Sample> {
  const argv = useCli
    ? [join(REPO, 'bin', 'albctl'), 'loadtest', url, '-c', String(connections), '-d', String(seconds), '--json', ...(ca ? ['--ca', ca] : [])]
    : ['--no-warnings', '--experimental-transform-types', join(REPO, 'bench', 'loadtest-runner.ts'), url, String(connections), String(seconds), ...(ca ? [ca] : [])];
  const j = JSON.parse(await run(node, argv, (seconds + 30) * 1000)) as {
    requests: { perSecond: number };
    latency: { p50: number; p99: number };
    client: { cpuPercent: number; clientBound: boolean };
    workers?: number;
  };
  return { rps: j.requests.perSecond, p50: j.latency.p50, p99: j.latency.p99, note: `cpu ${j.client.cpuPercent.toFixed(0)}%${j.workers ? `, ${j.workers} worker${j.workers > 1 ? 's' : ''}` : ''}` };
}

async function autocannon(url: string): Promise<Sample> {
  const bin = join(REPO, 'node_modules', '.bin', 'autocannon');
  const j = JSON.parse(await run(bin, ['-c', String(connections), '-d', String(seconds), '--json', url], (seconds + 30) * 1000)) as {
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return { rps: j.requests.average, p50: j.latency.p50, p99: j.latency.p99, note: j.errors || j.non2xx ? `${j.errors} errors, ${j.non2xx} non-2xx` : undefined };
}

function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

async function wrk(url: string): Promise<Sample> {
  const out = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], (seconds + 30) * 1000);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = wrkMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = wrkMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const errs = /Socket errors: (.*)/.exec(out)?.[1];
  return { rps, p50, p99, note: errs };
}

function autocannonVersion(): string {
  try {
    return (JSON.parse(execFileSync(node, ['-p', 'JSON.stringify(require("autocannon/package.json"))'], { cwd: REPO, encoding: 'utf8' })) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** The share of all cores busy over `ms`, from /proc/stat (null where there is none). */
async function busy(ms: number): Promise<number | null> {
  const read = (): number[] | null => {
    try {
      return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    } catch {
      return null;
    }
  };
  const a = read();
  await new Promise((r) => setTimeout(r, ms));
  const b = read();
  if (a === null || b === null) return null;
  const d = b.map((v, i) => v - a[i]!);
  const total = d.reduce((x, y) => x + y, 0);
  const idle = d[3]! + (d[4] ?? 0);
  return total > 0 ? 1 - idle / total : null;
}

/**
 * Other work on a shared machine skews a round (every tool then measures the scheduler). Wait,
 * up to a minute, for a second in which less than `max` of the cores is busy.
 */
async function waitForQuiet(max = 0.15): Promise<string> {
  const until = Date.now() + 60_000;
  let b = await busy(1000);
  while (b !== null && b > max && Date.now() < until) b = await busy(1000);
  return b === null ? '' : `  [${Math.round(b * 100)}% busy before]`;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, d = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main(): Promise<void> {
  for (const cmd of ['nginx', 'wrk', 'openssl']) if (which(cmd) === null) throw new Error(`${cmd} is not installed`);
  const cert = selfSignedCert();
  const nginx = await startNginx({ cert, workers: Number(args['nginx-workers']), cpus: pin ? serverCpus : undefined });
  console.log(`# albctl loadtest benchmark: ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const nginxVersion = spawnSync(which('nginx')!, ['-v'], { encoding: 'utf8' }).stderr.trim();
  console.log(`# ${nginxVersion}; ${spawnSync('wrk', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0]}; autocannon ${autocannonVersion()}; node ${process.version}`);
  console.log(`# ${rounds} rounds × ${seconds}s, ${connections} connections, nginx worker_processes ${args['nginx-workers']}, albctl via ${useCli ? 'dist (built CLI)' : 'the library from source'}`);
  console.log(pin ? `# pinned: clients on cpu ${clientCpus}, nginx on cpu ${serverCpus}` : '# not pinned');
  const protocols = [
    { name: 'HTTP', url: `http://127.0.0.1:${nginx.port}/`, ca: null },
    { name: 'HTTPS', url: `https://localhost:${nginx.tlsPort}/`, ca: cert.cert },
  ].filter((p) => !args.only || p.name.toLowerCase() === args.only.toLowerCase());
  const tools: Tool[] = ['albctl', 'autocannon', 'wrk'];
  try {
    for (const p of protocols) {
      const samples: Record<Tool, Sample[]> = { albctl: [], autocannon: [], wrk: [] };
      for (let round = 0; round < rounds; round++) {
        // Rotate the order so that no tool always runs first (warm caches) or last.
        const order = tools.map((_, i) => tools[(i + round) % tools.length]!);
        console.log(`  ${p.name} round ${round + 1}: load average ${loadavg()[0]!.toFixed(2)}`);
        for (const tool of order) {
          const quiet = await waitForQuiet();
          const s = tool === 'albctl' ? await albctl(p.url, p.ca) : tool === 'autocannon' ? await autocannon(p.url) : await wrk(p.url);
          samples[tool].push(s);
          console.log(`  ${p.name} round ${round + 1} ${tool.padEnd(10)} ${fmt(s.rps).padStart(9)} req/s  p50 ${fmt(s.p50, 3)} ms  p99 ${fmt(s.p99, 3)} ms${s.note ? `  (${s.note})` : ''}${quiet}`);
        }
      }
      const med = Object.fromEntries(tools.map((t) => [t, median(samples[t].map((s) => s.rps))])) as Record<Tool, number>;
      console.log(`\n${p.name}, median of ${rounds}:`);
      for (const t of tools) {
        console.log(`  ${t.padEnd(10)} ${fmt(med[t]).padStart(9)} req/s  p50 ${fmt(median(samples[t].map((s) => s.p50)), 3)} ms  p99 ${fmt(median(samples[t].map((s) => s.p99)), 3)} ms`);
      }
      // Ratios within each round (runs seconds apart, under the same background load), then their
      // median: steadier on a shared machine than the ratio of medians, which is shown as well.
      const perRound = (other: Tool): number => median(samples.albctl.map((s, i) => s.rps / samples[other][i]!.rps));
      const goalA = p.name === 'HTTP' ? 1.5 : 1.4;
      const vsAutocannon = perRound('autocannon');
      const vsWrk = perRound('wrk');
      console.log(`  albctl / autocannon = ${vsAutocannon.toFixed(2)}x per round, ${(med.albctl / med.autocannon).toFixed(2)}x of medians (goal ≥ ${goalA}x: ${vsAutocannon >= goalA ? 'met' : 'NOT met'})`);
      console.log(`  albctl / wrk -t1    = ${vsWrk.toFixed(2)}x per round, ${(med.albctl / med.wrk).toFixed(2)}x of medians${p.name === 'HTTP' ? ` (goal ≥ 0.7x: ${vsWrk >= 0.7 ? 'met' : 'NOT met'})` : ''}`);
      // Interference only ever slows a run down: the best run of each tool is its least disturbed.
      const best = (t: Tool): number => Math.max(...samples[t].map((x) => x.rps));
      console.log(`  best of ${rounds}: albctl ${fmt(best('albctl'))}, autocannon ${fmt(best('autocannon'))}, wrk ${fmt(best('wrk'))} req/s: ${(best('albctl') / best('autocannon')).toFixed(2)}x autocannon, ${(best('albctl') / best('wrk')).toFixed(2)}x wrk\n`);
    }
  } finally {
    await nginx.stop();
  }
}

await main();
