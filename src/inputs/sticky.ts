// Load-balancer cookie stickiness on the target group.
import { duration, formatDuration } from './parse.js';
import { parseSwitch, question } from './question.js';

/** stickiness.lb_cookie.duration_seconds: 1 s to 7 days (ELBv2). */
export const MIN_STICKY_SECONDS = 1;
export const MAX_STICKY_SECONDS = 7 * 86400;

export const stickyDuration = question({
  key: 'stickyDuration',
  flag: 'sticky-duration',
  local: 'duration',
  arg: '<duration>',
  description: 'how long the AWSALB cookie pins a client to a target: 1s..7d (90s, 15m, 12h, 1d or seconds)',
  message: 'Stickiness duration (90s, 15m, 12h, 1d)',
  when: (v) => v.sticky !== false,
  parse: (raw, flag) => duration(raw, flag, MIN_STICKY_SECONDS, MAX_STICKY_SECONDS),
  default: () => 86400,
  show: formatDuration,
});

export const stickyDisable = question({
  key: 'stickyDisable',
  flag: 'sticky-disable',
  local: 'disable',
  description: 'turn stickiness off',
  parse: parseSwitch,
  default: () => false,
  persist: false,
});

export const stickyQuestions = [stickyDuration, stickyDisable];
