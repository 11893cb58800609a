// `albctl init`: the wizard over every step (see src/wizard/). Takes every step's flags.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { initQuestions } from '../inputs/all.js';
import { parseFlags, verifyFlags } from '../inputs/resolve.js';
import { addExamples } from './help.js';
import { addQuestionOptions, completeWith, givenFlags, globalsOf } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('init')
    .description('the wizard: discover, ask, show the plan, build the whole stack; resumes an interrupted run')
    .option('--sandbox [when]', 'run against a local AWS emulator: always, or "auto" when no AWS credentials work');
  completeWith(cmd, ['always', 'auto']);
  addQuestionOptions(cmd, initQuestions, 'init');
  addExamples(cmd, [
    ['build the whole stack, answering each question (Enter keeps a proposal)', 'albctl init'],
    ['the same without questions: flags, then saved answers, then defaults', 'albctl init --yes'],
    ['HTTP only, three instances of a larger type', 'albctl init --yes --no-https --instances 3 --instance-type t3.small'],
    ['show what a change would do, and change nothing', 'albctl init --yes --dry-run --sticky-duration 12h'],
  ]);
  cmd.action(async (_opts, self: Command) => run(self, sandboxMode(self.opts().sandbox)));
}

export function sandboxMode(value: unknown): 'never' | 'always' | 'auto' {
  if (value === undefined || value === false) return 'never';
  if (value === true || value === 'always') return 'always';
  if (value === 'auto') return 'auto';
  throw new UsageError(`--sandbox takes "always" or "auto" (got ${JSON.stringify(value)})`);
}

/** What `albctl sandbox` adds: --keep (else offered on a terminal) and --report. */
export interface SandboxFlags {
  keep?: boolean;
  report?: string;
}

export async function run(cmd: Command, sandbox: 'never' | 'always' | 'auto', flags: SandboxFlags = {}): Promise<void> {
  const globals = globalsOf(cmd);
  const given = givenFlags(cmd, initQuestions, 'init');
  const flagValues = parseFlags(initQuestions, given);
  await verifyFlags(initQuestions, given, flagValues);
  const report = await sandboxReportPath(flags.report, globals.stack);
  const { startInit } = await import('../wizard/start.js');
  await startInit(cmd, globals, flagValues, sandbox, { keep: flags.keep === true ? true : 'ask', report });
}

/** The proof's report: --report, else .albctl/<stack>-sandbox-report.html; a directory that cannot hold it is a usage error now. */
async function sandboxReportPath(given: string | undefined, stack: string): Promise<string> {
  const path = await import('node:path');
  const file = path.resolve(given ?? path.join('.albctl', `${stack}-sandbox-report.html`));
  if (given === undefined) return file;
  const { access, stat } = await import('node:fs/promises');
  const isDir = await stat(file).then((st) => st.isDirectory(), () => false);
  const writable = await access(path.dirname(file), 2 /* W_OK */).then(() => true, () => false);
  if (isDir || !writable) throw new UsageError(`--report must be a file in a writable directory (got ${given})`);
  return file;
}
