// Questions only the wizard asks: which optional parts of the stack to build.
import { parseSwitch, question } from './question.js';

export const https = question({
  key: 'https',
  flag: 'https',
  description: 'add HTTPS: a self-signed certificate in IAM and an HTTPS:443 listener',
  negation: 'build no certificate and no HTTPS listener (HTTP only)',
  message: 'Add HTTPS (self-signed certificate uploaded to IAM, TLS 1.3 listener)?',
  parse: parseSwitch,
  default: () => true,
});

export const sticky = question({
  key: 'sticky',
  flag: 'sticky',
  description: 'sticky sessions with a load-balancer cookie',
  negation: 'no sticky sessions: any target may answer any request',
  message: 'Sticky sessions (load-balancer cookie)?',
  parse: parseSwitch,
  default: () => true,
});

export const initQuestionsOwn = [https, sticky];
