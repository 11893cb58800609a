// Where the stack lives: the VPC and the subnets (one per AZ, two AZs at least).
import { awsId, awsIds } from './parse.js';
import { question } from './question.js';

export const vpc = question<string>({
  key: 'vpc',
  flag: 'vpc',
  arg: '<vpc-id>',
  description: 'the VPC (default: the default VPC)',
  message: 'VPC',
  parse: (raw, flag) => awsId(raw, flag, 'vpc'),
});

export const subnets = question<string[]>({
  key: 'subnets',
  flag: 'subnets',
  arg: '<subnet-id,...>',
  description: 'subnets in two or more AZs (default: one public subnet per AZ of the VPC)',
  message: 'Subnets (two or more AZs)',
  parse: (raw, flag) => [...new Set(awsIds(raw, flag, 'subnet'))],
});

export const networkQuestions = [vpc, subnets];
