// The albctl program: global options, one registration per command, one place that renders errors.
import { Command, CommanderError } from 'commander';
import { createRequire } from 'node:module';
import { AlbctlError, ExitCode, exitCodeOf } from './errors.js';
import { addExamples, formatItem } from './commands/help.js';
import { addGlobalOptions } from './commands/options.js';
import { register as completion } from './commands/completion.js';
import { register as destroy } from './commands/destroy.js';
import { register as init } from './commands/init.js';
import { register as sandbox } from './commands/sandbox.js';
import { register as status } from './commands/status.js';
import { register as targetGroup } from './commands/target-group.js';
import { register as alb } from './commands/alb.js';
import { register as cert } from './commands/cert.js';
import { register as https } from './commands/https.js';
import { register as sticky } from './commands/sticky.js';
import { register as launchTemplate } from './commands/launch-template.js';
import { register as asg } from './commands/asg.js';
import { register as instances } from './commands/instances.js';
import { register as loadtest } from './commands/loadtest.js';
import { register as list } from './commands/list.js';
import { register as state } from './commands/state.js';
import { register as unlock } from './commands/unlock.js';

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('albctl')
    .description('Provision a production-shaped web tier on AWS behind an Application Load Balancer, and load-test it.')
    .version(version, '-V, --version')
    .showHelpAfterError(false)
    .configureHelp({ showGlobalOptions: true, formatItem })
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  addGlobalOptions(program);
  for (const register of [init, sandbox, targetGroup, alb, cert, https, sticky, launchTemplate, asg, instances, loadtest, status, destroy, list, state, unlock, completion]) {
    register(program);
  }
  addExamples(program, [
    ['build the whole stack, answering a few questions', 'albctl init'],
    ['try it without an AWS account, against a local emulator', 'albctl sandbox'],
    ['every resource of the stack, live', 'albctl status'],
    ['delete everything the stack made', 'albctl destroy --yes'],
  ]);
  return program;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  // The subcommand being parsed, so a typo in its flags points to its own help.
  let running = 'albctl';
  const program = buildProgram().hook('preSubcommand', (_program, sub) => {
    running = `albctl ${sub.name()}`;
  });
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    return report(err, verbose, running);
  }
}

function report(err: unknown, verbose: boolean, running: string): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return ExitCode.ok;
    process.stderr.write(`albctl: ${err.message.replace(/^error: /, '').replace(/\n/g, ' ')} (see ${running} --help)\n`);
    return ExitCode.usage;
  }
  const code = exitCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`albctl: ${message}\n`);
  if (verbose) {
    for (let cause = (err as Error)?.cause; cause; cause = (cause as Error).cause) {
      process.stderr.write(`  caused by: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}\n`);
    }
  }
  if (!(err instanceof AlbctlError) && (verbose || process.env.ALBCTL_DEBUG)) {
    process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  }
  return code;
}

process.exitCode = await main();
