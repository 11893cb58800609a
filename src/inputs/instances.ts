// The stand-alone instances (the seed's "deploy 2 EC2 instances running the web server").
import { integer } from './parse.js';
import { question } from './question.js';

export const instanceCount = question({
  key: 'instanceCount',
  flag: 'instances',
  local: 'count',
  arg: '<n>',
  description: 'instances to launch from the launch template and register in the target group (0 terminates them)',
  message: 'Instances to launch outside the Auto Scaling group',
  parse: (raw, flag) => integer(raw, flag, 0, 50),
  default: () => 2,
});

export const instancesQuestions = [instanceCount];
