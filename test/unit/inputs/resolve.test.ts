import { describe, expect, it } from 'vitest';
import { namesFor } from '../../../src/inputs/names.js';
import { parseFlags, persistable, resolveInputs } from '../../../src/inputs/resolve.js';
import { targetGroupQuestions } from '../../../src/inputs/target-group.js';
import { UsageError } from '../../../src/errors.js';

const base = { stack: 'web', names: namesFor('web') };

describe('resolveInputs', () => {
  it('flags, then saved state, then defaults', () => {
    const flags = parseFlags(targetGroupQuestions, new Map([['targetPort', { raw: '9000', flag: '--port' }]]));
    const { values, sources } = resolveInputs(targetGroupQuestions, flags, { targetPort: 7000, healthPath: '/health' }, base);
    expect(values).toMatchObject({ targetPort: 9000, healthPath: '/health', targetGroupName: 'web-tg', matcher: '200' });
    expect(sources).toMatchObject({ targetPort: 'flag', healthPath: 'state', targetGroupName: 'default' });
    expect(values).not.toHaveProperty('register');
  });

  it('a bad flag fails naming the flag as typed', () => {
    expect(() => parseFlags(targetGroupQuestions, new Map([['targetPort', { raw: '0', flag: '--target-port' }]]))).toThrow(UsageError);
    expect(() => parseFlags(targetGroupQuestions, new Map([['targetPort', { raw: '0', flag: '--target-port' }]]))).toThrow(/^--target-port /);
  });

  it('persists only what resolved', () => {
    const { values } = resolveInputs(targetGroupQuestions, {}, {}, base);
    expect(Object.keys(persistable(targetGroupQuestions, values))).toContain('healthPath');
  });
});
