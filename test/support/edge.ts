// What the network-edge tests (alb, cert, https, sticky) ask moto: the resources as AWS holds
// them, for assertions that do not trust what albctl printed.
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import type { MotoBed } from './harness.js';

export function edgeQueries(moto: MotoBed) {
  const elb = () => moto.client(ElasticLoadBalancingV2Client);
  const ec2 = () => moto.client(EC2Client);
  return {
    async loadBalancers() {
      return (await elb().send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    },
    async listeners(loadBalancerArn?: string) {
      const lbs = loadBalancerArn ? [loadBalancerArn] : (await this.loadBalancers()).map((l) => l.LoadBalancerArn!);
      const all = await Promise.all(lbs.map(async (arn) => (await elb().send(new DescribeListenersCommand({ LoadBalancerArn: arn }))).Listeners ?? []));
      return all.flat();
    },
    async targetGroups() {
      return (await elb().send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    },
    async targetGroupAttributes(arn: string): Promise<Record<string, string>> {
      const out = await elb().send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }));
      return Object.fromEntries((out.Attributes ?? []).map((a) => [a.Key!, a.Value!]));
    },
    /** Security groups other than the VPCs' "default" ones. */
    async securityGroups() {
      return ((await ec2().send(new DescribeSecurityGroupsCommand({}))).SecurityGroups ?? []).filter((g) => g.GroupName !== 'default');
    },
    async securityGroup(name: string) {
      return (await this.securityGroups()).find((g) => g.GroupName === name);
    },
    /** Ingress rules as `tcp:80 from 0.0.0.0/0`, sorted. */
    async ingress(groupId: string): Promise<string[]> {
      const out = await ec2().send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }));
      return (out.SecurityGroupRules ?? [])
        .filter((r) => !r.IsEgress)
        .map((r) => `${r.IpProtocol}:${r.FromPort === r.ToPort ? r.FromPort : `${r.FromPort}-${r.ToPort}`} from ${r.ReferencedGroupInfo?.GroupId ?? r.CidrIpv4 ?? r.CidrIpv6}`)
        .sort();
    },
    async serverCertificates() {
      return (await moto.client(IAMClient).send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList ?? [];
    },
  };
}

/** The `aws ...` lines of a -v run that are not reads: none may appear when input is refused. */
export function mutatingCalls(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('aws ') && !/\.(Describe|Get|List)\w+ /.test(l));
}

/** The lines albctl reports errors on. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('albctl:'));
}
