// Rolling replacement: how much of a fleet stays in service while its instances are replaced by
// ones from the launch template's new version, and `--refresh` to replace them all anyway.
import { UsageError } from '../errors.js';
import { parseSwitch, question } from './question.js';

/** `90` or `90%`: a share of the instances, 0-100. */
export function percentOf(raw: string, flag: string): number {
  const text = String(raw).trim().replace(/%$/, '');
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 100) throw new UsageError(`${flag} must be a percentage from 0 to 100, like 90 or 90% (got ${JSON.stringify(String(raw))})`);
  return n;
}

export const minHealthy = question({
  key: 'minHealthy',
  flag: 'min-healthy',
  arg: '<percent>',
  description: 'while instances are replaced, keep at least this share of them in service (0-100)',
  parse: percentOf,
  default: () => 90,
});

/** `asg --refresh`, `instances --refresh`: the one switch of both commands, never an init flag. */
export const refresh = question({
  key: 'refresh',
  flag: 'refresh',
  description: 'replace every instance (a rolling replacement), even those already on the current template version',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});

export const rolloutQuestions = [minHealthy];
