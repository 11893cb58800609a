import { describe, expect, it } from 'vitest';
import { initQuestions } from '../../../src/inputs/all.js';
import { namesFor } from '../../../src/inputs/names.js';
import { parseFlags, persistable, resolveInputs } from '../../../src/inputs/resolve.js';
import { targetGroupQuestions } from '../../../src/inputs/target-group.js';
import { UsageError } from '../../../src/errors.js';

const base = { stack: 'web', names: namesFor('web'), command: 'target-group' };

describe('resolveInputs', () => {
  it('every question: flags, then saved state, then defaults', () => {
    const flags = parseFlags(targetGroupQuestions, new Map([['targetPort', { raw: '9000', flag: '--port' }]]));
    const { values, sources } = resolveInputs(flags, { targetPort: 7000, healthPath: '/health', listenerPort: 81 }, base);
    expect(values).toMatchObject({ targetPort: 9000, healthPath: '/health', targetGroupName: 'web-tg', matcher: '200', register: [] });
    expect(sources).toMatchObject({ targetPort: 'flag', healthPath: 'state', targetGroupName: 'default' });
    // Questions of other commands resolve too: saved, else their defaults; AWS-dependent ones stay unset.
    expect(values).toMatchObject({ listenerPort: 81, httpsPort: 443, stickyDuration: 86400, userData: 'default', keepFiles: false });
    expect(values).not.toHaveProperty('vpc');
    expect(values).not.toHaveProperty('desiredCapacity');
  });

  it('a question that does not persist is never read from the state', () => {
    const { values } = resolveInputs({}, { desiredCapacity: 3, certForce: true }, base);
    expect(values.desiredCapacity).toBeUndefined();
    expect(values.certForce).toBe(false);
  });

  it('a proposal may differ per command: init scales on requests per target, asg alone on CPU', () => {
    expect(resolveInputs({}, {}, { ...base, command: 'init' }).values.scalingPolicy).toEqual({ metric: 'request-count', target: 100 });
    expect(resolveInputs({}, {}, { ...base, command: 'asg' }).values.scalingPolicy).toEqual({ metric: 'cpu', target: 50 });
  });

  it('a bad flag fails naming the flag as typed', () => {
    expect(() => parseFlags(targetGroupQuestions, new Map([['targetPort', { raw: '0', flag: '--target-port' }]]))).toThrow(UsageError);
    expect(() => parseFlags(targetGroupQuestions, new Map([['targetPort', { raw: '0', flag: '--target-port' }]]))).toThrow(/^--target-port /);
  });

  it('persists what resolved, of the questions given, except those that do not persist', () => {
    const { values } = resolveInputs({}, {}, { ...base, command: 'init' });
    const saved = persistable(initQuestions, values);
    expect(Object.keys(saved)).toContain('healthPath');
    expect(Object.keys(saved)).not.toContain('certForce');
    expect(Object.keys(persistable(targetGroupQuestions, values))).not.toContain('listenerPort');
  });
});
