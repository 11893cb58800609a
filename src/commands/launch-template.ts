// `albctl launch-template`: the launch template the instances and the Auto Scaling group start from.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { sshCidr } from '../inputs/alb.js';
import { launchTemplateQuestions, userData } from '../inputs/launch-template.js';
import { namesFor } from '../inputs/names.js';
import { ssm } from '../inputs/security.js';
import { parseFlags, resolveInputs } from '../inputs/resolve.js';
import { addExamples } from './help.js';
import { addQuestionOptions, givenFlags, globalsOf } from './options.js';

const questions = [...launchTemplateQuestions, sshCidr, ssm];

export function register(program: Command): void {
  const cmd = program
    .command('launch-template')
    .description(
      'create the launch template: Amazon Linux 2023, t3.micro, the web security group, IMDSv2 only, encrypted gp3 root volume, the sample web server as user data',
    );
  addQuestionOptions(cmd, questions, 'command');
  cmd.option('--print-user-data', 'print the user data script and exit (no AWS call, nothing written)');
  addExamples(cmd, [
    ['Amazon Linux 2023 on t3.micro running the sample web server', 'albctl launch-template'],
    ['a key pair, and SSH from one address only', 'albctl launch-template --key-name ops --ssh-cidr 203.0.113.7/32'],
    ['your own boot script instead of the sample server', 'albctl launch-template --user-data ./boot.sh'],
    ['print the user data it would use, and change nothing', 'albctl launch-template --print-user-data'],
  ]);
  cmd.action(async (_opts, self: Command) => {
    if ((self.opts() as { printUserData?: boolean }).printUserData) return printUserData(self);
    const { runStepCommand } = await import('./run-steps.js');
    await runStepCommand(self, {
      command: 'launch-template',
      questions,
      // With a key pair and an SSH source, the web security group's SSH rule follows them (when `alb` made the group).
      steps: (values, state) => [
        ...(state.resource('webSecurityGroup')?.status === 'created' && (values.keyName !== undefined || values.sshCidr !== undefined) ? ['webSecurityGroup'] : []),
        ...(values.ssm ? ['instanceRole', 'instanceProfile'] : []),
        'launchTemplate',
      ],
      validate: (values, state) => {
        const groups = values.instanceSecurityGroups;
        if (!groups?.length && state.resource('webSecurityGroup')?.status !== 'created') {
          throw new UsageError(
            "the launch template needs the instances' security group: run `albctl alb` first (it makes the web security group), or pass --security-groups <sg-id,...>",
          );
        }
      },
      result: (out) => ({ launchTemplate: out.get('launchTemplate') }),
    });
  });
}

/** The script the launch template would carry: --user-data's file, the saved one, or the sample server on the stack's target port. */
async function printUserData(cmd: Command): Promise<void> {
  const globals = globalsOf(cmd);
  const flags = parseFlags(questions, givenFlags(cmd, questions, 'command'));
  const [{ readStateOnly }, { defaultUserData, readUserDataFile }, { servingPort }] = await Promise.all([
    import('../state/open.js'),
    import('../webserver/user-data.js'),
    import('../steps/target-group.js'),
  ]);
  // Read only: no lock, nothing written, no AWS call.
  const state = await readStateOnly(globals);
  const base = { stack: globals.stack, names: namesFor(globals.stack), command: 'launch-template' };
  const inputs = resolveInputs(flags, state.inputs, base).values;
  const port = servingPort({ inputs, state, outputs: new Map() });
  const file = inputs.userData;
  const text = file !== 'default' ? await readUserDataFile(file, `--${userData.flag}`) : defaultUserData({ port });
  if (globals.json) {
    process.stdout.write(`${JSON.stringify({ stack: globals.stack, source: file, port, userData: text })}\n`);
  } else {
    process.stdout.write(text);
  }
}
