// Waiting until the stack serves: every instance registered and healthy in the target group.
import { duration, formatDuration } from './parse.js';
import { parseSwitch, question } from './question.js';

export const wait = question({
  key: 'wait',
  flag: 'wait',
  description: 'wait until the instances pass their health checks, showing how many are healthy (init: yes on a terminal)',
  negation: 'do not wait for the health checks',
  parse: parseSwitch,
  persist: false,
});

export const waitTimeout = question({
  key: 'waitTimeout',
  flag: 'wait-timeout',
  arg: '<duration>',
  description: 'how long --wait waits before it fails, naming the unhealthy targets (1s-2h)',
  parse: (raw, flag) => duration(raw, flag, 1, 7200),
  show: formatDuration,
  default: () => 600,
});

export const waitQuestions = [wait, waitTimeout];
