// `npm run bench:startup`: how long `albctl --help` (and `completion bash`) takes, against a bare `node -e 0` measured in
// the same run (alternating, so machine noise hits both), and what it loads.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const rounds = Number(process.env.ROUNDS ?? 15);

function time(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const anchor = [];
const help = [];
const sub = [];
const completion = [];
for (let i = 0; i < rounds; i++) {
  anchor.push(time(['-e', '0']));
  help.push(time(['bin/albctl', '--help']));
  sub.push(time(['bin/albctl', 'target-group', '--help']));
  completion.push(time(['bin/albctl', 'completion', 'bash']));
}

const trace = path.join(tmpdir(), `albctl-imports-${process.pid}.txt`);
spawnSync(process.execPath, ['--import', './bench/trace-imports.mjs', 'bin/albctl', '--help'], {
  cwd: root,
  env: { ...process.env, ALBCTL_TRACE_IMPORTS: trace },
  stdio: 'ignore',
});
const loaded = readFileSync(trace, 'utf8').trim().split('\n').filter((u) => u.startsWith('file:'));
rmSync(trace, { force: true });
const heavy = loaded.filter((u) => /@aws-sdk|@smithy|zod|ora|@inquirer/.test(u));

const row = (name, ms) => `${name.padEnd(32)} ${ms.toFixed(1).padStart(7)} ms   ${(ms / median(anchor)).toFixed(2)}x`;
console.log(`startup, median of ${rounds} runs (anchor: node -e 0, same run)`);
console.log(row('node -e 0 (anchor)', median(anchor)));
console.log(row('albctl --help', median(help)));
console.log(row('albctl target-group --help', median(sub)));
console.log(row('albctl completion bash', median(completion)));
console.log(`modules loaded by --help: ${loaded.length}; AWS SDK / zod / ora / inquirer among them: ${heavy.length}`);
if (median(help) > 500) console.log('WARNING: albctl --help took more than half a second');
