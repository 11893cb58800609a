// `npm run bench:s3-state`: what keeping the state in S3 costs, against moto. Per round, in one
// moto account: `init --yes` of a fresh stack with the local state file and with the state in S3
// (the order alternating, so a growing account and machine noise hit both), then a no-op re-run of
// each. Medians, the extra wall time, and the ratio S3 / local.
//
//   ROUNDS=5 node bench/s3-state.mjs        (needs `npm run build` and .venv/bin/moto_server)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';

const root = path.resolve(import.meta.dirname, '..');
const rounds = Number(process.env.ROUNDS ?? 5);
const { startEmulator, prepareEmulatorDefaultVpc } = await import(path.join(root, 'dist', 'sandbox', 'emulator.js'));
const moto = await startEmulator(process.env.MOTO_SERVER ?? path.join(root, '.venv', 'bin', 'moto_server'));
const env = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  CI: 'true',
  NO_COLOR: '1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL: moto.url,
  AWS_EC2_METADATA_DISABLED: 'true',
};
const bucket = 'albctl-bench-state';

// Asynchronous on purpose: moto logs into a pipe of this process, which must keep reading it.
async function albctl(args, cwd) {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'albctl'), ...args, '-v'], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.on('close', resolve));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`albctl ${args.join(' ')} exited ${code}:\n${stderr}`);
  // --verbose logs each call: "aws S3.PutObject 12ms retries=0".
  const s3 = stderr.split('\n').filter((l) => l.startsWith('aws S3.'));
  return { ms, s3Calls: s3.length, s3Ms: s3.reduce((sum, l) => sum + Number(/ (\d+)ms /.exec(l)?.[1] ?? 0), 0) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = { local: { init: [], noop: [] }, s3: { init: [], noop: [] } };
const calls = { init: [], noop: [] };
const s3Ms = { init: [], noop: [] };
const dirs = [];
try {
  await prepareEmulatorDefaultVpc(moto.url, 'us-east-1');
  const s3 = new S3Client({ region: 'us-east-1', endpoint: moto.url, forcePathStyle: true, credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  s3.destroy();
  for (let i = 0; i < rounds; i++) {
    const order = i % 2 === 0 ? ['local', 's3'] : ['s3', 'local'];
    for (const mode of order) {
      const dir = mkdtempSync(path.join(tmpdir(), 'albctl-bench-'));
      dirs.push(dir);
      const args = ['init', '--yes', '--stack', `b${mode === 's3' ? 's' : 'l'}${i}`, ...(mode === 's3' ? ['--state', `s3://${bucket}/bench/`] : [])];
      const init = await albctl(args, dir);
      const noop = await albctl(args, dir);
      times[mode].init.push(init.ms);
      times[mode].noop.push(noop.ms);
      if (mode === 's3') {
        calls.init.push(init.s3Calls);
        calls.noop.push(noop.s3Calls);
        s3Ms.init.push(init.s3Ms);
        s3Ms.noop.push(noop.s3Ms);
      }
    }
  }
} finally {
  await moto.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

const signed = (ms) => `${ms >= 0 ? '+' : '-'}${Math.abs(ms).toFixed(0)} ms`;
const row = (what, key) => {
  const l = median(times.local[key]);
  const r = median(times.s3[key]);
  return `${what.padEnd(22)} ${l.toFixed(0).padStart(7)} ms ${r.toFixed(0).padStart(9)} ms ${signed(r - l).padStart(10)} ${(r / l).toFixed(2).padStart(7)}x ${String(median(calls[key])).padStart(8)} ${`${median(s3Ms[key])} ms`.padStart(10)}`;
};
console.log(`S3 state against moto, median of ${rounds} rounds (load average ${loadavg()[0].toFixed(1)})`);
console.log(`${''.padEnd(22)} ${'local'.padStart(10)} ${'S3'.padStart(12)} ${'extra'.padStart(10)} ${'ratio'.padStart(8)} ${'S3 calls'.padStart(8)} ${'in S3'.padStart(10)}`);
console.log(row('init (a new stack)', 'init'));
console.log(row('no-op re-run of init', 'noop'));
console.log('"in S3": the summed duration of the S3 calls (the lock, every state write, the versioning check) of one run, from its --verbose log.');
