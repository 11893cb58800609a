// `albctl loadtest [url]`: the load generator. The URL defaults to the stack's load balancer
// (its HTTPS listener when it has one, trusting the stack's certificate.crt). No AWS call.
import type { Command } from 'commander';
import type { ResourceRecord } from '../state/schema.js';
import { addExamples } from './help.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function register(program: Command): void {
  const cmd = program
    .command('loadtest [url]')
    .description("load-test a URL (default: the stack's load balancer, HTTPS when it has a listener); --report writes an HTML report")
    .option('-c, --connections <n>', 'virtual users, each a connection and a cookie jar (with --rate: most requests in flight) (default: 50)')
    .option('-d, --duration <time>', 'how long to measure: 30s, 5m, or seconds (default: 10s unless --requests)')
    .option('-n, --requests <n>', 'how many requests to measure (with --duration: whichever comes first)')
    .option('-r, --rate <n>', 'open model: this many requests per second, latency counted from each intended start')
    .option('--warmup <time>', 'run this long before measuring (default: 0)')
    .option('--workers <n>', 'worker threads (default: one per core, half of them for a server on this machine)')
    .option('-m, --method <method>', 'HTTP method (default: GET)')
    .option('-H, --header <header>', '"Name: value" added to every request; repeatable', collect)
    .option('-b, --body <text>', 'request body (sets Content-Length)')
    .option('--timeout <time>', 'per request (default: 10s)')
    .option('--insecure', 'do not verify the server certificate')
    .option('--ca <file>', "trust this PEM certificate (default for the stack's HTTPS listener: its certificate.crt)")
    .option('--no-cookies', 'no cookie jar: every request goes without cookies (no stickiness)')
    .option('--count-header <name>', 'count requests per value of this response header (default: x-served-by)')
    .option('--report <file>', 'write a self-contained HTML report there')
    .option(
      '--connect-to <HOST:PORT:ADDR:PORT2>',
      "as curl's: connect to ADDR:PORT2 when the URL's host and port are HOST:PORT (empty matches any); Host header, SNI and certificate stay the URL's; repeatable",
      collect,
    )
    .option('--assert <expr>', 'a threshold checked at the end, exit 4 when not met: "p99 < 300ms", "errors < 1%", "rps >= 500", "status.5xx == 0", "stickiness >= 95%", "targets >= 2"; with --compare "p99 < +10%"; repeatable', collect)
    .option('--compare <run.json>', "show each figure beside a previous run's --json document, with the change; relative thresholds use it")
    .option('--abort-on-fail', 'stop as soon as an errors or non2xx threshold can no longer pass');
  addExamples(cmd, [
    ["the stack's load balancer (HTTPS, trusting its certificate), 10 s", 'albctl loadtest'],
    ['100 connections for a minute, and an HTML report', 'albctl loadtest -c 100 -d 1m --report run.html'],
    ['2,000 requests per second (open model) against a URL', 'albctl loadtest http://127.0.0.1:8080/ -r 2000 -d 30s'],
    ['in CI: exit 4 unless p99 and errors stay under their thresholds', "albctl loadtest -d 30s --assert 'p99 < 300ms' --assert 'errors < 1%'"],
  ]);
  cmd.action(async (url: string | undefined, _opts, self: Command) => run(self, url));
}

/** The stack's own target: the HTTPS listener's URL (and certificate) first, then HTTP, then the DNS name. */
export function stackTarget(resource: (id: string) => ResourceRecord | undefined): { url: string; ca: string | null } | null {
  const out = (id: string): Record<string, unknown> | undefined => {
    const r = resource(id);
    return r && r.status === 'created' ? r.outputs : undefined;
  };
  const https = out('httpsListener')?.url;
  const cert = out('certificateFiles')?.certificate;
  if (typeof https === 'string') return { url: https, ca: typeof cert === 'string' ? cert : null };
  const http = out('httpListener')?.url;
  if (typeof http === 'string') return { url: http, ca: null };
  const dns = out('loadBalancer')?.dnsName;
  if (typeof dns === 'string' && dns !== '') return { url: `http://${dns}/`, ca: null };
  return null;
}

async function run(cmd: Command, given: string | undefined): Promise<void> {
  const [{ globalsOf }, lt, { UsageError, RuntimeError, ThresholdError, InterruptedError, ExitCode }, { createUi }, { access }, { dirname, resolve }, { constants }] =
    await Promise.all([
      import('./options.js'),
      import('../loadtest/index.js'),
      import('../errors.js'),
      import('../ui/create.js'),
      import('node:fs/promises'),
      import('node:path'),
      import('node:fs'),
    ]);
  const globals = globalsOf(cmd);
  const raw = { ...(cmd.opts() as Record<string, unknown>) };
  // A sandbox's load balancer is served on this machine: its DNS name is sent to the local ports.
  const { withSandboxConnectTo } = await import('../sandbox/dataplane-file.js');
  raw.connectTo = await withSandboxConnectTo(globals.statePath, raw.connectTo);
  let url = given;
  if (url === undefined) {
    const { readStateOnly } = await import('../state/open.js');
    const state = await readStateOnly(globals);
    const target = stackTarget((id) => state.resource(id));
    if (target === null) {
      throw new UsageError(`loadtest needs a URL: stack ${globals.stack} has no load balancer in ${globals.statePath} (pass http(s)://...)`);
    }
    url = target.url;
    if (target.ca !== null && raw.ca === undefined && raw.insecure !== true) raw.ca = target.ca;
  }
  // Every usage error (flags, --assert, --ca, --compare, --report's folder) before the banner.
  const options = lt.parseLoadtestOptions(raw, url);
  if (options.report !== null) {
    const dir = dirname(resolve(options.report));
    await access(dir, constants.W_OK).catch(() => {
      throw new UsageError(`--report ${options.report}: cannot write into ${dir}`);
    });
  }
  const prepared = await lt.prepareLoadtest(options);

  const ui = await createUi({ json: globals.json, verbose: globals.verbose, yes: globals.yes, color: globals.color });
  const banner = `load test ${options.target.href}: ${describeRun(options, lt.plural)}`;
  if (globals.dryRun) {
    ui.info(`would run the ${banner}${options.warmup > 0 ? ` after ${options.warmup}s warmup` : ''}`);
    ui.close();
    return;
  }

  // First Ctrl-C: stop and report what was measured. Second: leave at once.
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(ExitCode.interrupted);
    ui.warn('stopping: the results so far follow (press Ctrl-C again to quit at once)');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  ui.info(banner);
  const status = await liveStatus(ui.mode === 'tty');
  let outcome;
  try {
    outcome = await lt.runPrepared(prepared, {
      signal: abort.signal,
      onProgress: (p) => {
        const line = lt.progressLine(p);
        if (status !== null) status.text = line;
        // Plain output: a line every 5 seconds is enough for a log.
        else if (p.phase !== 'running' || Math.round(p.elapsed) % 5 === 0) ui.info(line);
      },
    });
  } finally {
    status?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ui.close();
  }

  const { result, doc, comparison } = outcome;
  if (options.report !== null) {
    try {
      const { writeFile } = await import('node:fs/promises');
      await writeFile(options.report, lt.renderHtml(result, { assertions: doc.assertions, comparison, baseline: options.compare }));
    } catch (err) {
      throw new RuntimeError(`--report ${options.report}: cannot write (${(err as { code?: string }).code ?? String(err)})`, { cause: err });
    }
  }
  const text = lt.renderText(result, { assertions: doc.assertions, comparison, baseline: options.compare });
  if (globals.json) {
    // The document on stdout; the summary for a person on stderr.
    process.stderr.write(`${colour(text, ui.style)}\n${options.report !== null ? `report      ${options.report}\n` : ''}`);
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else {
    // The summary is the command's result: stdout, as wrk does (progress stayed on stderr).
    process.stdout.write(`${process.stdout.isTTY ? colour(text, ui.style) : text}\n${options.report !== null ? `report      ${options.report}\n` : ''}`);
  }
  if (outcome.message === null) return;
  if (outcome.exitCode === ExitCode.interrupted) throw new InterruptedError(outcome.message);
  if (outcome.exitCode === ExitCode.thresholds) throw new ThresholdError(outcome.message);
  throw new RuntimeError(outcome.message);
}

function describeRun(o: import('../loadtest/index.js').LoadtestOptions, plural: (n: number, one: string) => string): string {
  const bound = [o.duration !== null ? `${o.duration}s` : '', o.requests !== null ? plural(o.requests, 'request') : ''].filter(Boolean).join(' or ');
  const via = o.connect.rule !== null ? ` via ${o.connect.hostname}:${o.connect.port}` : '';
  const model = o.rate !== null ? `${o.rate} req/s over up to ${plural(o.connections, 'connection')}` : plural(o.connections, 'connection');
  return `${model}${via}, ${bound}`;
}

/** On a terminal, the progress line rewritten in place on stderr (it labels its own times). */
async function liveStatus(tty: boolean): Promise<{ text: string; stop(): void } | null> {
  if (!tty) return null;
  const ora = (await import('ora')).default;
  const spinner = ora({ stream: process.stderr, discardStdin: false, text: 'connecting' }).start();
  return {
    set text(t: string) {
      spinner.text = t;
    },
    get text() {
      return spinner.text;
    },
    stop: () => spinner.stop(),
  };
}

/** Colours the summary: the headline bold, errors and failed thresholds red, warnings yellow. */
function colour(text: string, s: import('../ui/types.js').Style): string {
  return text
    .split('\n')
    .map((line, i) => {
      if (i === 0) return s.bold(line);
      if (/^errors\s+(?!none)/.test(line) || /^\s+FAIL\s/.test(line)) return s.red(line);
      if (/^\s+pass\s/.test(line)) return s.green(line);
      if (/bottleneck|no request ended/.test(line)) return s.yellow(line);
      return line;
    })
    .join('\n');
}
