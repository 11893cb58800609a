// `albctl state push|pull`: move a stack's state between a local file and S3 (for a team, or CI).
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { stateLocation, formatLocation } from '../state/location.js';
import { addExamples, type Example } from './help.js';
import { completeWith, globalsOf, type Globals } from './options.js';

const examples: Record<'push' | 'pull', Example[]> = {
  push: [
    ['move the stack built here into S3, for the team', 'albctl state push s3://acme-albctl/stacks/'],
    ['another stack, from a state file elsewhere', 'albctl state push s3://acme-albctl/stacks/ --stack shop --file ops/shop.json'],
  ],
  pull: [
    ['a copy of the S3 state in .albctl/ (ALBCTL_STATE names the S3 prefix)', 'albctl state pull'],
    ['from a given object, even over a newer local file', 'albctl state pull s3://acme-albctl/stacks/shop.json --stack shop --force'],
  ],
};

export function register(program: Command): void {
  const state = program.command('state').description("move a stack's state between a local file and S3");
  for (const [name, description] of [
    ['push', 'copy the local state file to S3 (refused when the S3 state is newer)'],
    ['pull', 'copy the S3 state to the local file (refused when the local file is newer)'],
  ] as const) {
    const cmd = state
      .command(`${name} [s3-url]`)
      .description(`${description}; the URL defaults to --state / ALBCTL_STATE when they are s3://`)
      .option('--file <path>', 'the local state file (default: --state when it is a file, else .albctl/<stack>.json)');
    completeWith(cmd, 'file');
    cmd.option('--force', 'overwrite even a newer state');
    addExamples(cmd, examples[name]);
    cmd.action(async (url: string | undefined, _opts, self: Command) => run(self, name, url));
  }
  addExamples(state, [examples.push[0]!, examples.pull[0]!]);
}

async function run(cmd: Command, direction: 'push' | 'pull', url: string | undefined): Promise<void> {
  const globals = globalsOf(cmd);
  const { file, force } = cmd.opts() as { file?: string; force?: boolean };
  const remote = remoteOf(globals, url);
  const local = localOf(globals, file);
  const [{ createUi }, { withState }, { transferState }] = await Promise.all([
    import('../ui/create.js'),
    import('../state/open.js'),
    import('../state/transfer.js'),
  ]);
  const ui = await createUi({ json: globals.json, verbose: globals.verbose, yes: globals.yes, color: globals.color });
  const result = await withState(globals, (m) => ui.warn(m), async (open) => {
    const [l, r] = [await open.backend(local), await open.backend(remote)];
    return direction === 'push' ? transferState(l, r, globals.stack, !!force) : transferState(r, l, globals.stack, !!force);
  });
  ui.result({ stack: globals.stack, direction, ...result }, () => {
    if (result.action === 'unchanged') return ui.info(`${result.to} already holds the same state as ${result.from}: nothing to do`);
    ui.success(`copied the state of stack ${globals.stack} (${result.resources} resources) from ${result.from} to ${result.to}`);
    ui.info(
      direction === 'push'
        ? `from now on run albctl with --state ${remote} (or ALBCTL_STATE); ${local} was left as it was: remove it so nobody runs against the old copy`
        : `${remote} was left as it was; runs with --state ${local} now use the copy`,
    );
  });
}

/** The S3 side: the URL given, else --state / ALBCTL_STATE when they name S3. */
function remoteOf(globals: Globals, url: string | undefined): string {
  if (url !== undefined) {
    const loc = stateLocation(url, globals.stack, 'the S3 URL');
    if (loc.kind !== 's3') throw new UsageError(`the S3 URL must be an s3://bucket/key.json URL or an s3:// prefix ending with / (got ${JSON.stringify(url)})`);
    return formatLocation(loc);
  }
  if (globals.statePath.startsWith('s3://')) return globals.statePath;
  throw new UsageError('state push and pull need an s3:// URL: pass one, or set --state / ALBCTL_STATE to it');
}

/** The local side: --file, else --state when it is a file, else the default. */
function localOf(globals: Globals, file: string | undefined): string {
  if (file !== undefined) {
    const loc = stateLocation(file, globals.stack, '--file');
    if (loc.kind !== 'file') throw new UsageError(`--file must be a local path (got ${JSON.stringify(file)})`);
    return loc.path;
  }
  return globals.statePath.startsWith('s3://') ? formatLocation(stateLocation(undefined, globals.stack)) : globals.statePath;
}
