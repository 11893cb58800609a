// What moto holds for a stack, counted by its albctl:stack tag (and, for IAM certificates, which
// moto cannot tag, by the stack's IAM path): the reliability tests assert on this, never on what
// albctl printed.
import {
  DescribeAutoScalingGroupsCommand,
  DescribePoliciesCommand,
  AutoScalingClient,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  DescribeLaunchTemplatesCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, ListInstanceProfilesCommand, ListRolesCommand, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import { GetBucketTaggingCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { GetWebACLForResourceCommand, ListTagsForResourceCommand, ListWebACLsCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import type { MotoBed } from './harness.js';

type Client = MotoBed['client'];

const tagged = (tags: readonly Tag[] | undefined, stack: string) => (tags ?? []).some((t) => t.Key === 'albctl:stack' && t.Value === stack);

async function elbTags(client: Client, arns: string[]): Promise<Map<string, Tag[]>> {
  const out = new Map<string, Tag[]>();
  for (let i = 0; i < arns.length; i += 20) {
    const page = await client(ElasticLoadBalancingV2Client).send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const d of page.TagDescriptions ?? []) out.set(d.ResourceArn!, d.Tags ?? []);
  }
  return out;
}

export interface Census {
  loadBalancers: number;
  targetGroups: number;
  /** Listeners of the stack's load balancers, by port ("80": 1). */
  listeners: Record<string, number>;
  serverCertificates: number;
  securityGroups: number;
  launchTemplates: number;
  autoScalingGroups: number;
  scalingPolicies: number;
  /** pending or running, tagged with the stack. */
  instances: number;
  /** S3 buckets tagged with the stack (--access-logs). */
  logBuckets: number;
  /** Regional WAFv2 web ACLs tagged with the stack, and the stack's load balancers that have one (--waf). */
  webAcls: number;
  webAclAssociations: number;
  /** IAM roles and instance profiles under the stack's IAM path (--ssm). */
  instanceRoles: number;
  instanceProfiles: number;
}

/** The kinds the security flags add: buckets, web ACLs and their associations, roles, profiles. */
async function securityCensus(client: Client, stack: string, loadBalancerArns: string[]) {
  const s3 = client(S3Client, { forcePathStyle: true });
  const buckets = (await s3.send(new ListBucketsCommand({}))).Buckets ?? [];
  let logBuckets = 0;
  for (const b of buckets) {
    const tags = await s3.send(new GetBucketTaggingCommand({ Bucket: b.Name })).then((t) => t.TagSet ?? [], () => []);
    if (tagged(tags as Tag[], stack)) logBuckets++;
  }
  const waf = client(WAFV2Client);
  const acls = (await waf.send(new ListWebACLsCommand({ Scope: 'REGIONAL' }))).WebACLs ?? [];
  let webAcls = 0;
  for (const a of acls) {
    const tags = (await waf.send(new ListTagsForResourceCommand({ ResourceARN: a.ARN }))).TagInfoForResource?.TagList ?? [];
    if (tagged(tags as Tag[], stack)) webAcls++;
  }
  let webAclAssociations = 0;
  for (const arn of loadBalancerArns) if ((await waf.send(new GetWebACLForResourceCommand({ ResourceArn: arn }))).WebACL) webAclAssociations++;
  const path = `/albctl/${stack}/`;
  const roles = ((await client(IAMClient).send(new ListRolesCommand({}))).Roles ?? []).filter((r) => r.Path === path);
  const profiles = ((await client(IAMClient).send(new ListInstanceProfilesCommand({}))).InstanceProfiles ?? []).filter((p) => p.Path === path);
  return { logBuckets, webAcls, webAclAssociations, instanceRoles: roles.length, instanceProfiles: profiles.length };
}

/** How many of each resource kind moto holds for `stack`. */
export async function census(client: Client, stack: string): Promise<Census> {
  const elb = client(ElasticLoadBalancingV2Client);
  const ec2 = client(EC2Client);
  const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const tgs = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const tags = await elbTags(client, [...lbs.map((l) => l.LoadBalancerArn!), ...tgs.map((t) => t.TargetGroupArn!)]);
  const ourLbs = lbs.filter((l) => tagged(tags.get(l.LoadBalancerArn!), stack));
  const listeners: Record<string, number> = {};
  for (const lb of ourLbs) {
    for (const l of (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? []) {
      listeners[String(l.Port)] = (listeners[String(l.Port)] ?? 0) + 1;
    }
  }
  const certs = (await client(IAMClient).send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList ?? [];
  const byTag = [{ Name: 'tag:albctl:stack', Values: [stack] }];
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: byTag }))).SecurityGroups ?? [];
  const templates = (await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: byTag }))).LaunchTemplates ?? [];
  const asgs = (await client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? [];
  const ourAsgs = asgs.filter((g) => tagged(g.Tags as Tag[] | undefined, stack));
  let policies = 0;
  for (const g of ourAsgs) {
    policies += ((await client(AutoScalingClient).send(new DescribePoliciesCommand({ AutoScalingGroupName: g.AutoScalingGroupName }))).ScalingPolicies ?? []).length;
  }
  const reservations = (await ec2.send(
    new DescribeInstancesCommand({ Filters: [...byTag, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }),
  )).Reservations ?? [];
  return {
    loadBalancers: ourLbs.length,
    targetGroups: tgs.filter((t) => tagged(tags.get(t.TargetGroupArn!), stack)).length,
    listeners,
    serverCertificates: certs.filter((c) => c.Path === `/albctl/${stack}/`).length,
    securityGroups: groups.length,
    launchTemplates: templates.length,
    autoScalingGroups: ourAsgs.length,
    scalingPolicies: policies,
    instances: reservations.flatMap((r) => r.Instances ?? []).length,
    ...(await securityCensus(client, stack, ourLbs.map((l) => l.LoadBalancerArn!))),
  };
}

/** What `init --yes` builds with the defaults: one of each, two security groups, two instances. */
export const fullStack: Census = {
  loadBalancers: 1,
  targetGroups: 1,
  listeners: { '80': 1, '443': 1 },
  serverCertificates: 1,
  securityGroups: 2,
  launchTemplates: 1,
  autoScalingGroups: 1,
  scalingPolicies: 1,
  instances: 2,
  logBuckets: 0,
  webAcls: 0,
  webAclAssociations: 0,
  instanceRoles: 0,
  instanceProfiles: 0,
};

/** The same with --access-logs --waf --ssm: one of each new kind more. */
export const secureStack: Census = { ...fullStack, logBuckets: 1, webAcls: 1, webAclAssociations: 1, instanceRoles: 1, instanceProfiles: 1 };

export const nothing: Census = {
  loadBalancers: 0,
  targetGroups: 0,
  listeners: {},
  serverCertificates: 0,
  securityGroups: 0,
  launchTemplates: 0,
  autoScalingGroups: 0,
  scalingPolicies: 0,
  instances: 0,
  logBuckets: 0,
  webAcls: 0,
  webAclAssociations: 0,
  instanceRoles: 0,
  instanceProfiles: 0,
};

/** Never more than one of anything (at any moment, even after a kill). */
export function noDuplicates(c: Census): string[] {
  const over: string[] = [];
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number' && v > (secureStack as unknown as Record<string, number>)[k]!) over.push(`${k}: ${v}`);
  }
  for (const [port, n] of Object.entries(c.listeners)) if (n > 1) over.push(`listeners on ${port}: ${n}`);
  return over;
}

/**
 * The stack as configured, in comparable form (names, ports, policies, rules, attributes): two
 * builds of the same stack have equal shapes whatever happened on the way.
 */
export async function stackShape(client: Client, stack: string): Promise<Record<string, unknown>> {
  const elb = client(ElasticLoadBalancingV2Client);
  const ec2 = client(EC2Client);
  const lbs = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  const tgs = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const tags = await elbTags(client, [...lbs.map((l) => l.LoadBalancerArn!), ...tgs.map((t) => t.TargetGroupArn!)]);
  const lb = lbs.find((l) => tagged(tags.get(l.LoadBalancerArn!), stack));
  const tg = tgs.find((t) => tagged(tags.get(t.TargetGroupArn!), stack));
  const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'tag:albctl:stack', Values: [stack] }] }))).SecurityGroups ?? [];
  const nameOfGroup = new Map(groups.map((g) => [g.GroupId!, g.GroupName!]));
  const rules = async (groupId: string) =>
    ((await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }] }))).SecurityGroupRules ?? [])
      .filter((r) => !r.IsEgress)
      .map((r) => `${r.IpProtocol}:${r.FromPort} from ${nameOfGroup.get(r.ReferencedGroupInfo?.GroupId ?? '') ?? r.ReferencedGroupInfo?.GroupId ?? r.CidrIpv4 ?? r.CidrIpv6}`)
      .sort();
  const listeners = lb ? ((await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).Listeners ?? []) : [];
  const tgAttrs = tg
    ? Object.fromEntries(((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }))).Attributes ?? []).map((a) => [a.Key, a.Value]))
    : {};
  const health = tg ? ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? []) : [];
  const templates = (await ec2.send(new DescribeLaunchTemplatesCommand({ Filters: [{ Name: 'tag:albctl:stack', Values: [stack] }] }))).LaunchTemplates ?? [];
  const lt = templates[0];
  const ltData = lt
    ? (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: lt.LaunchTemplateId, Versions: ['$Default'] }))).LaunchTemplateVersions?.[0]?.LaunchTemplateData
    : undefined;
  const asgs = ((await client(AutoScalingClient).send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []).filter((g) =>
    tagged(g.Tags as Tag[] | undefined, stack),
  );
  const asg = asgs[0];
  const policies = asg ? ((await client(AutoScalingClient).send(new DescribePoliciesCommand({ AutoScalingGroupName: asg.AutoScalingGroupName }))).ScalingPolicies ?? []) : [];
  const certs = ((await client(IAMClient).send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList ?? []).filter(
    (c) => c.Path === `/albctl/${stack}/`,
  );
  const running = ((await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: 'tag:albctl:stack', Values: [stack] }, { Name: 'instance-state-name', Values: ['pending', 'running'] }] }),
  )).Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const tgName = (arn?: string) => (arn ? (tgs.find((t) => t.TargetGroupArn === arn)?.TargetGroupName ?? arn) : undefined);
  return {
    loadBalancer: lb && { name: lb.LoadBalancerName, scheme: lb.Scheme, type: lb.Type, azs: (lb.AvailabilityZones ?? []).length, groups: (lb.SecurityGroups ?? []).map((g) => nameOfGroup.get(g) ?? g).sort() },
    listeners: listeners
      .map((l) => ({
        port: l.Port,
        protocol: l.Protocol,
        sslPolicy: l.SslPolicy,
        certificate: l.Certificates?.[0]?.CertificateArn?.replace(/-cert-\d{12}$/, '-cert-<time>'),
        action: l.DefaultActions?.map((a) => (a.Type === 'redirect' ? `redirect ${a.RedirectConfig?.Protocol}:${a.RedirectConfig?.Port}` : `${a.Type} ${tgName(a.TargetGroupArn)}`)),
      }))
      .sort((a, b) => (a.port ?? 0) - (b.port ?? 0)),
    targetGroup: tg && {
      name: tg.TargetGroupName,
      port: tg.Port,
      protocol: tg.Protocol,
      healthPath: tg.HealthCheckPath,
      interval: tg.HealthCheckIntervalSeconds,
      stickiness: tgAttrs['stickiness.enabled'],
      stickyType: tgAttrs['stickiness.type'],
      stickySeconds: tgAttrs['stickiness.lb_cookie.duration_seconds'],
      deregistrationDelay: tgAttrs['deregistration_delay.timeout_seconds'],
      targets: health.length,
    },
    targetsAreTheInstances: health.map((h) => h.Target?.Id).sort().join() === running.filter((i) => i.Tags?.some((t) => t.Key === 'albctl:role')).map((i) => i.InstanceId).sort().join(),
    securityGroups: Object.fromEntries(await Promise.all(groups.map(async (g) => [g.GroupName, await rules(g.GroupId!)] as const))),
    launchTemplate: lt && {
      name: lt.LaunchTemplateName,
      versions: lt.LatestVersionNumber,
      instanceType: ltData?.InstanceType,
      httpTokens: ltData?.MetadataOptions?.HttpTokens,
      groups: (ltData?.SecurityGroupIds ?? ltData?.NetworkInterfaces?.[0]?.Groups ?? []).map((g) => nameOfGroup.get(g) ?? g),
      publicIp: ltData?.NetworkInterfaces?.[0]?.AssociatePublicIpAddress,
      instanceProfile: ltData?.IamInstanceProfile?.Arn?.split('/').pop(),
      userData: !!ltData?.UserData,
    },
    autoScalingGroup: asg && {
      name: asg.AutoScalingGroupName,
      min: asg.MinSize,
      max: asg.MaxSize,
      targetGroups: (asg.TargetGroupARNs ?? []).map(tgName),
      template: asg.LaunchTemplate?.LaunchTemplateName,
      healthCheck: asg.HealthCheckType,
    },
    scalingPolicies: policies.map((p) => `${p.PolicyName} ${p.TargetTrackingConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType} ${p.TargetTrackingConfiguration?.TargetValue}`),
    serverCertificates: certs.map((c) => c.ServerCertificateName?.replace(/\d{12}$/, '<time>')),
    instances: running
      .filter((i) => i.Tags?.some((t) => t.Key === 'albctl:role'))
      .map((i) => i.Tags?.find((t) => t.Key === 'Name')?.Value)
      .sort(),
  };
}
