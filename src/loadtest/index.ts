// The load generator's public face: src/commands/loadtest.ts, and other modules that run a load
// test in-process (parse the options, then `loadtestDocument` for the --json document, or
// prepareLoadtest + runPrepared for the result, the comparison and the exit code as well).
export { parseLoadtestOptions, type LoadtestOptions, type LoadtestTarget, type ConnectRule } from './options.js';
export { runLoadtest, type RunHooks } from './run.js';
export { prepareLoadtest, runPrepared, loadtestDocument, verdictOf, type Prepared, type Outcome } from './outcome.js';
export type { LoadtestResult, TimelineEntry } from './result.js';
export { toJson, type LoadtestJson, type AssertionResult } from './report-json.js';
export type { CompareRow } from './compare.js';
export { renderText } from './report-text.js';
export { renderHtml } from './report-html.js';
export { progressLine, plural, type ProgressSnapshot } from './progress.js';
