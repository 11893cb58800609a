// `albctl completion bash|zsh|fish`: print a completion script for the shell. Built from the
// program's own commands and flags (and the questions' fixed values), so it never goes stale.
import { Argument, type Command } from 'commander';
import { addExamples } from './help.js';

export function register(program: Command): void {
  const cmd = program
    .command('completion')
    .description('print a shell completion script (commands, flags, and values where they are a fixed set)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']));
  addExamples(cmd, [
    ['complete albctl in this bash session (add it to ~/.bashrc to keep it)', 'source <(albctl completion bash)'],
    ['install it for every bash session', 'albctl completion bash > ~/.local/share/bash-completion/completions/albctl'],
    ['zsh: a file in a directory of $fpath', 'albctl completion zsh > "${fpath[1]}/_albctl"'],
    ['fish', 'albctl completion fish > ~/.config/fish/completions/albctl.fish'],
  ]);
  cmd.action(async (shell: 'bash' | 'zsh' | 'fish', _opts, self: Command) => {
    const [{ completionSpec }, { bashScript }, { zshScript }, { fishScript }] = await Promise.all([
      import('../completion/spec.js'),
      import('../completion/bash.js'),
      import('../completion/zsh.js'),
      import('../completion/fish.js'),
    ]);
    const spec = completionSpec(self.parent!);
    process.stdout.write({ bash: bashScript, zsh: zshScript, fish: fishScript }[shell](spec));
  });
}
