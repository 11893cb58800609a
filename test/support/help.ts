// Reading `albctl <command> --help` as a person does: the options with their descriptions (lines
// wrapped at 80 columns joined again) and the examples.
export interface HelpItem {
  /** `--policy`, or `-c` for a short-only option. */
  flag: string;
  term: string;
  description: string;
  /** What "(default: ...)" at the end of the description says. */
  shownDefault?: string;
}

/** The items of the "Options:" section (not the global ones). */
export function helpOptions(text: string): HelpItem[] {
  const lines = text.split('\n');
  const start = lines.indexOf('Options:');
  const items: HelpItem[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const item = /^ {2}(-\S.*?)(?: {2,}(.*))?$/.exec(line);
    if (item) {
      const term = item[1]!;
      items.push({ flag: /--[\w-]+/.exec(term)?.[0] ?? term.split(',')[0]!, term, description: item[2] ?? '' });
    } else {
      const last = items.at(-1)!;
      last.description = `${last.description} ${line.trim()}`.trim();
    }
  }
  for (const i of items) i.shownDefault = /\(default: (.*)\)$/.exec(i.description)?.[1];
  return items;
}

/** The examples: what each does and the command line. */
export function helpExamples(text: string): { what: string; command: string }[] {
  const lines = text.split('\n');
  const out: { what: string; command: string }[] = [];
  for (const [i, line] of lines.entries()) {
    const cmd = /^ {2}\$ (.*)$/.exec(line);
    if (cmd) out.push({ what: /^ {2}# (.*)$/.exec(lines[i - 1] ?? '')?.[1] ?? '', command: cmd[1]! });
  }
  return out;
}

/** Every flag spelling the help lists, its own options and the global ones (`-c`, `--connections`). */
export function helpFlags(text: string): Set<string> {
  const flags = new Set<string>();
  for (const line of text.split('\n')) {
    const term = /^ {2}(-[^ ,]+)(?:, (-[^ ]+))?/.exec(line);
    for (const f of term?.slice(1) ?? []) if (f) flags.add(f);
  }
  return flags;
}
