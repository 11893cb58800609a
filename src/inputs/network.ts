// Where the stack lives: the VPC and the subnets (one per AZ, two AZs at least).
import { awsId, awsIds } from './parse.js';
import { question, type AskContext } from './question.js';

// Discovery loads the EC2 client: import it only when the wizard asks.
const discovery = () => import('./discovery.js');

export const vpc = question({
  key: 'vpc',
  flag: 'vpc',
  arg: '<vpc-id>',
  description: 'the VPC',
  defaultHelp: 'the default VPC',
  message: 'VPC',
  parse: (raw, flag) => awsId(raw, flag, 'vpc'),
  ask: {
    kind: 'select',
    choices: async (a: AskContext) => {
      const vpcs = await (await discovery()).listVpcs(a.aws, a.signal);
      return vpcs
        .sort((x, y) => Number(y.isDefault) - Number(x.isDefault))
        .map((v) => ({ name: `${v.id} ${v.cidr}${v.isDefault ? ' (default VPC)' : ''}${v.name ? ` ${v.name}` : ''}`, short: v.id, value: v.id }));
    },
  },
});

export const subnets = question({
  key: 'subnets',
  flag: 'subnets',
  arg: '<subnet-id,...>',
  description: 'subnets in two or more AZs',
  defaultHelp: 'one public subnet in each of up to three AZs',
  message: 'Subnets for the load balancer and instances (two or more AZs)',
  parse: (raw, flag) => [...new Set(awsIds(raw, flag, 'subnet'))],
  ask: {
    kind: 'checkbox',
    choices: async (a: AskContext) => {
      const d = await discovery();
      const vpcId = (a.values.vpc as string | undefined) ?? (await d.findVpc(a.aws, undefined, a.signal)).id;
      const all = await d.listSubnets(a.aws, vpcId, a.signal);
      const picked = new Set(d.defaultSubnets(all).map((s) => s.id));
      return all.map((s) => ({
        name: `${s.id} ${s.az} ${s.cidr}${s.public ? ' public' : ' private'}`,
        short: `${s.id} (${s.az})`,
        value: s.id,
        checked: picked.has(s.id),
        group: s.az,
      }));
    },
    // What the network step would refuse, said at the prompt: two AZs at least, one subnet each.
    check: (picked) => {
      const azs = picked.map((c) => c.group);
      if (new Set(azs).size < 2) return 'choose subnets in two or more availability zones';
      if (new Set(azs).size < azs.length) return 'choose one subnet per availability zone';
      return true;
    },
  },
});

export const networkQuestions = [vpc, subnets];
