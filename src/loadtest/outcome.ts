// A load test from parsed options to its verdict: the files it needs read first (so that a bad
// --ca or --compare is a usage error before any request), the run, the --json document with the
// thresholds checked, the comparison with the baseline, and the exit code. `loadtestDocument` is
// the entry point for other modules (the sandbox's proof) that want the document in-process.
import { readFile } from 'node:fs/promises';
import { ExitCode, UsageError } from '../errors.js';
import { abortCheck, evaluate } from './assert.js';
import { baselineProblem, compareRuns, type CompareRow } from './compare.js';
import type { LoadtestOptions } from './options.js';
import { plural } from './progress.js';
import { toJson, type LoadtestJson } from './report-json.js';
import type { LoadtestResult } from './result.js';
import { readCa, runLoadtest, type RunHooks } from './run.js';

export interface Prepared {
  options: LoadtestOptions;
  baseline: LoadtestJson | null;
}

export interface Outcome {
  result: LoadtestResult;
  /** The --json document, with `assertions` when there were any. */
  doc: LoadtestJson;
  /** Beside the --compare baseline, or null. */
  comparison: CompareRow[] | null;
  /** 0 good run, 1 the run failed, 4 thresholds not met, 130 interrupted. */
  exitCode: number;
  /** Why the exit code is not 0, in one line. */
  message: string | null;
}

/** Reads --ca and --compare: UsageErrors naming the flag and the file. */
export async function prepareLoadtest(options: LoadtestOptions): Promise<Prepared> {
  if (options.ca !== null) await readCa(options.ca);
  return { options, baseline: options.compare === null ? null : await readBaseline(options.compare) };
}

export async function readBaseline(path: string): Promise<LoadtestJson> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--compare ${path} cannot be read (${(err as { code?: string }).code ?? String(err)})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new UsageError(`--compare ${path} must be a previous run's loadtest --json document (it is not JSON)`);
  }
  const problem = baselineProblem(doc);
  if (problem !== null) throw new UsageError(`--compare ${path} must be a previous run's loadtest --json document (${problem})`);
  return doc as LoadtestJson;
}

export async function runPrepared(p: Prepared, hooks: RunHooks = {}): Promise<Outcome> {
  const o = p.options;
  const shouldAbort = o.abortOnFail ? abortCheck(o.assertions, { requests: o.requests, duration: o.duration }) : undefined;
  const result = await runLoadtest(o, { ...hooks, shouldAbort: hooks.shouldAbort ?? shouldAbort });
  const doc = toJson(result);
  if (o.assertions.length > 0) doc.assertions = evaluate(o.assertions, doc, p.baseline);
  const comparison = p.baseline === null ? null : compareRuns(doc, p.baseline);
  return { result, doc, comparison, ...verdictOf(doc) };
}

/** The in-process load test: parsed options in, the `--json` document out (thresholds included). */
export async function loadtestDocument(options: LoadtestOptions, hooks: RunHooks = {}): Promise<LoadtestJson> {
  return (await runPrepared(await prepareLoadtest(options), hooks)).doc;
}

/** The exit code a document earns, and why. */
export function verdictOf(doc: LoadtestJson): { exitCode: number; message: string | null } {
  if (doc.interrupted) return { exitCode: ExitCode.interrupted, message: 'interrupted: the results so far are above' };
  if (doc.unreachable !== null) return { exitCode: ExitCode.failure, message: `${doc.url} is unreachable: ${doc.unreachable}` };
  // Successful: the server answered as meant to (a 3xx redirect included); 4xx and 5xx are not.
  const answered = Object.entries(doc.statusCodes)
    .filter(([code]) => Number(code) < 400)
    .reduce((a, [, n]) => a + n, 0);
  if (answered === 0) {
    const why = doc.requests.total === 0 ? 'no request ended' : `${plural(doc.requests.total, 'request')}, none answered with a status below 400`;
    return { exitCode: ExitCode.failure, message: `no successful response from ${doc.url} (${why})` };
  }
  const failed = (doc.assertions ?? []).filter((a) => !a.ok);
  if (doc.aborted !== null) return { exitCode: ExitCode.thresholds, message: `stopped early (--abort-on-fail): ${JSON.stringify(doc.aborted)} could no longer pass` };
  if (failed.length > 0) {
    const list = failed.map((a) => `${a.expr} (actual ${a.actual ?? 'unknown'})`).join(', ');
    return { exitCode: ExitCode.thresholds, message: `${plural(failed.length, 'threshold')} of ${doc.assertions!.length} not met: ${list}` };
  }
  return { exitCode: ExitCode.ok, message: null };
}
