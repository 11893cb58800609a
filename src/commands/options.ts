// Command-line plumbing shared by every command: global options, question flags.
// Light on purpose: `albctl --help` loads this and commander, nothing else.
import type { Command, Option } from 'commander';
import { UsageError } from '../errors.js';
import { namesFor } from '../inputs/names.js';
import { stackName } from '../inputs/parse.js';
import { flagOf, showValue, type Question } from '../inputs/question.js';
import type { GivenFlag } from '../inputs/resolve.js';
import { formatLocation, stateLocation } from '../state/location.js';

export interface Globals {
  stack: string;
  statePath: string;
  region?: string;
  profile?: string;
  endpoint?: string;
  yes: boolean;
  json: boolean;
  dryRun: boolean;
  color: boolean;
  verbose: boolean;
}

/** What shell completion offers as an option's value: a fixed set, file names, directory names, or nothing. */
export type ValueHint = readonly string[] | 'file' | 'directory' | 'text';

const hints = new WeakMap<Option, ValueHint>();

/** The completion hint of an option, if one was set (see completeWith and addQuestionOptions). */
export function valueHint(option: Option): ValueHint | undefined {
  return hints.get(option);
}

/** Say what completion offers for the value of the option just added to `cmd`. */
export function completeWith(cmd: Command, hint: ValueHint): Command {
  const option = cmd.options.at(-1);
  if (option) hints.set(option, hint);
  return cmd;
}

/** A question's values for completion: its fixed set, else files or directories as its placeholder says. */
function questionHint(q: Question): ValueHint {
  if (q.choices) return q.choices;
  if (q.arg?.includes('file')) return 'file';
  return q.arg === '<dir>' ? 'directory' : 'text';
}

export function addGlobalOptions(program: Command): Command {
  program.option('--stack <name>', 'names the deployment; prefix of every resource name (env ALBCTL_STACK)');
  completeWith(
    program.option('--state <path|s3-url>', 'the state file, or s3://bucket/path/<stack>.json; a folder or prefix ends with / (env ALBCTL_STATE; default: .albctl/<stack>.json)'),
    'file',
  );
  return program
    .option('--region <region>', 'AWS region (default: from the AWS config)')
    .option('--profile <profile>', 'AWS profile (default: from the AWS config)')
    .option('--endpoint-url <url>', 'send every AWS call there (moto, LocalStack); AWS_ENDPOINT_URL works too')
    .option('-y, --yes', 'never prompt: flags, then saved state, then defaults')
    .option('--json', 'one JSON document on stdout; human output on stderr')
    .option('--dry-run', 'print the plan and change nothing')
    .option('--no-color', 'plain text (also NO_COLOR)')
    .option('-v, --verbose', 'log every AWS call on stderr');
}

export function globalsOf(cmd: Command, env: NodeJS.ProcessEnv = process.env): Globals {
  const o = cmd.optsWithGlobals() as Record<string, unknown>;
  const given = (o.stack as string | undefined) ?? env.ALBCTL_STACK;
  const stack = stackName(given ?? 'albctl', o.stack !== undefined ? '--stack' : given !== undefined ? 'ALBCTL_STACK' : '--stack');
  const endpoint = o.endpointUrl as string | undefined;
  if (endpoint !== undefined) checkUrl(endpoint, '--endpoint-url');
  else if (env.AWS_ENDPOINT_URL) checkUrl(env.AWS_ENDPOINT_URL, 'AWS_ENDPOINT_URL');
  if (o.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(String(o.region))) {
    throw new UsageError(`--region must be an AWS region like us-east-1 (got ${JSON.stringify(o.region)})`);
  }
  return {
    stack,
    statePath: statePathFor(cmd, stack, env),
    region: o.region as string | undefined,
    profile: o.profile as string | undefined,
    endpoint,
    yes: !!o.yes,
    json: !!o.json,
    dryRun: !!o.dryRun,
    color: o.color !== false,
    verbose: !!o.verbose,
  };
}

/** The state's location for `stack`: --state, else ALBCTL_STATE, else .albctl/<stack>.json (a usage error when malformed). */
export function statePathFor(cmd: Command, stack: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = (cmd.optsWithGlobals() as { state?: string }).state;
  const raw = given ?? (env.ALBCTL_STATE || undefined);
  return formatLocation(stateLocation(raw, stack, given !== undefined ? '--state' : 'ALBCTL_STATE'));
}

function checkUrl(raw: string, flag: string): void {
  const u = URL.parse(raw);
  const ok = !!u && (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  if (!ok) throw new UsageError(`${flag} must be an http:// or https:// URL (got ${JSON.stringify(raw)})`);
}

function attrName(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Declare each question as an option (and `--no-<flag>` with its own help line); values stay raw
 * strings, parsed by the question itself. `command` picks the defaults help shows (`init` for the
 * wizard and the sandbox).
 */
export function addQuestionOptions(cmd: Command, questions: readonly Question[], where: 'command' | 'init', command = cmd.name()): Command {
  for (const q of questions) {
    const flag = flagOf(q, where);
    const short = where === 'command' && q.short ? `-${q.short}, ` : '';
    cmd.option(`${short}${flag}${q.arg ? ` ${q.arg}` : ''}`, helpLine(q, command));
    completeWith(cmd, questionHint(q));
    if (q.negation) cmd.option(`--no-${flag.slice(2)}`, q.negation);
  }
  return cmd;
}

/** "port the instances serve on (default: 8080)": the description and the default `command` uses. */
export function helpLine(q: Question, command: string): string {
  const d = helpDefault(q, command);
  return d === undefined ? q.description : `${q.description} (default: ${d})`;
}

/**
 * The default as help states it: `defaultHelp` when it is not one fixed value, else the question's
 * default for this command (with the stack as `<stack>`); nothing for a switch that is off.
 */
export function helpDefault(q: Question, command: string): string | undefined {
  if (q.defaultHelp !== undefined) return q.defaultHelp;
  const value = q.default?.({ stack: '<stack>', names: namesFor('<stack>'), command, values: {} });
  return value === undefined || value === false ? undefined : showDefault(q, value);
}

/** A value as help states a default: `yes` for a switch that is on, `none` for an empty list. */
export function showDefault(q: Question, value: unknown): string {
  return value === true ? 'yes' : showValue(q, value) || 'none';
}

/** The flags the user actually typed, keyed by question. */
export function givenFlags(cmd: Command, questions: readonly Question[], where: 'command' | 'init'): Map<string, GivenFlag> {
  const given = new Map<string, GivenFlag>();
  const opts = cmd.opts() as Record<string, unknown>;
  for (const q of questions) {
    const flag = flagOf(q, where);
    const attr = attrName(flag.slice(2));
    if (cmd.getOptionValueSource(attr) !== 'cli') continue;
    const value = opts[attr];
    const typed = value === false ? `--no-${flag.slice(2)}` : flag;
    given.set(q.key, { raw: typeof value === 'boolean' ? String(value) : String(value), flag: typed });
  }
  return given;
}
