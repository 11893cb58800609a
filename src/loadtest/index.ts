// The load generator's public face, for src/commands/loadtest.ts.
export { parseLoadtestOptions, type LoadtestOptions, type LoadtestTarget } from './options.js';
export { runLoadtest, type RunHooks } from './run.js';
export type { LoadtestResult, TimelineEntry } from './result.js';
export { toJson, type LoadtestJson } from './report-json.js';
export { renderText } from './report-text.js';
export { renderHtml } from './report-html.js';
export { progressLine, type ProgressSnapshot } from './progress.js';
