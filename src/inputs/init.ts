// Questions only the wizard asks: which optional parts of the stack to build.
import { parseSwitch, question } from './question.js';

export const https = question<boolean>({
  key: 'https',
  flag: 'https',
  negatable: true,
  description: 'add HTTPS: a self-signed certificate in IAM and an HTTPS:443 listener (default: yes)',
  message: 'Add HTTPS (self-signed certificate uploaded to IAM, TLS 1.3 listener)?',
  parse: parseSwitch,
  default: () => true,
});

export const sticky = question<boolean>({
  key: 'sticky',
  flag: 'sticky',
  negatable: true,
  description: 'sticky sessions with a load-balancer cookie (default: yes)',
  message: 'Sticky sessions (load-balancer cookie)?',
  parse: parseSwitch,
  default: () => true,
});

export const initQuestionsOwn = [https, sticky];
