// `albctl list`: the stacks whose state is in the state directory (or an S3 prefix), and with
// --discover the stacks that have resources tagged in the account and region.
import type { Command } from 'commander';
import type { StackSummary } from '../state/list.js';
import { folderOf, formatLocation, locationOf } from '../state/location.js';
import { addExamples } from './help.js';
import { globalsOf, type Globals } from './options.js';

export function register(program: Command): void {
  const cmd = program
    .command('list')
    .description('the stacks in the state directory (or --state s3://bucket/prefix/): region, account, resources, last run')
    .option('--discover', 'also find stacks by their albctl:stack tag in the account and region, marking those without a state file');
  addExamples(cmd, [
    ['the stacks whose state is in .albctl/', 'albctl list'],
    ["a team's stacks, kept in S3", 'albctl list --state s3://acme-albctl/stacks/'],
    ['also the stacks that have tagged resources but no state file here', 'albctl list --discover --json'],
  ]);
  cmd.action(async (_opts, self: Command) => run(self));
}

async function run(cmd: Command): Promise<void> {
  const globals = globalsOf(cmd);
  const { discover } = cmd.opts() as { discover?: boolean };
  const folder = folderOf(locationOf(globals.statePath));
  const [{ createUi }, { withState }, { summarize }, { renderStacks }] = await Promise.all([
    import('../ui/create.js'),
    import('../state/open.js'),
    import('../state/list.js'),
    import('../ui/stacks.js'),
  ]);
  const ui = await createUi({ json: globals.json, verbose: globals.verbose, yes: globals.yes, color: globals.color });
  const stacks = await withState(globals, (m) => ui.warn(m), async (open) => summarize(await open.folder(folder), (l) => open.backend(l)));
  const who = discover ? await addDiscovered(globals, stacks) : undefined;
  const location = formatLocation(folder);
  ui.result({ location, account: who?.account ?? null, region: who?.region ?? null, discovered: !!discover, stacks }, () =>
    renderStacks(ui, location, stacks, who),
  );
}

/** STS, then the tag scans: add the tagged counts, and a row for each stack that has no state file here. */
async function addDiscovered(
  globals: Globals,
  stacks: StackSummary[],
): Promise<{ account: string; region: string }> {
  const [{ Aws }, { callerIdentity }, { taggedStacks }] = await Promise.all([
    import('../aws/clients.js'),
    import('./session.js'),
    import('../engine/tagged-stacks.js'),
  ]);
  const aws = new Aws({ region: globals.region, profile: globals.profile, endpoint: globals.endpoint, readOnly: true });
  try {
    const who = await callerIdentity(aws);
    const tagged = await taggedStacks(aws);
    // A state file of another account or region with the same name is another deployment.
    const here = (s: { account: string | null; region: string | null }) => s.account === who.account && s.region === who.region;
    for (const s of stacks) if (here(s)) s.tagged = tagged.get(s.stack) ?? 0;
    for (const [stack, count] of [...tagged].sort(([a], [b]) => a.localeCompare(b))) {
      if (stacks.some((s) => s.stack === stack && here(s))) continue;
      stacks.push({ stack, state: null, account: who.account, region: who.region, endpoint: who.endpoint ?? null, resources: null, lastRun: null, locked: false, problem: null, tagged: count });
    }
    return who;
  } finally {
    aws.destroy();
  }
}
