// The table of `albctl list`.
import type { StackSummary } from '../state/list.js';
import type { Ui } from './types.js';

export function renderStacks(ui: Ui, location: string, stacks: readonly StackSummary[], who?: { account: string; region: string }): void {
  if (stacks.length === 0) {
    ui.info(`no stacks in ${location}${who ? ` and none tagged albctl:stack in account ${who.account}, ${who.region}` : ''}`);
    return;
  }
  const headers = ['STACK', 'REGION', 'ACCOUNT', 'RESOURCES', 'LAST RUN', 'OUTCOME', ...(who ? ['TAGGED'] : [])];
  const now = Date.now();
  const rows = stacks.map((s) => [
    s.stack,
    s.region ?? '-',
    s.account ?? '-',
    s.resources === null ? '-' : String(s.resources),
    s.lastRun ? `${s.lastRun.command} ${ago(now - Date.parse(s.lastRun.finishedAt ?? s.lastRun.startedAt))}` : '-',
    outcome(s),
    ...(who ? [s.tagged === undefined ? '-' : String(s.tagged)] : []),
  ]);
  ui.info(`stacks in ${location}${who ? `, and tagged in account ${who.account}, ${who.region}` : ''}:`);
  ui.table(headers, rows);
}

function outcome(s: StackSummary): string {
  if (s.problem) return `unreadable: ${s.problem}`;
  if (s.state === null) return 'no state file (albctl destroy --discover finds it)';
  // No outcome: still running, or killed (a lock left behind says which, with `albctl status`).
  const o = s.lastRun ? (s.lastRun.outcome ?? 'unfinished') : '-';
  return s.locked ? `${o}, locked` : o;
}

function ago(ms: number): string {
  if (!(ms >= 0)) return '';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s}s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
