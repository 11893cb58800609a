// `albctl list --discover`: which stacks have resources in this account and region, by the
// albctl:stack tag, whatever their name. The Resource Groups Tagging API would be one call, but it
// returns no Auto Scaling groups (on AWS as in moto) and moto's gives no launch templates, so each
// service is asked with its own tag filter: EC2 and Auto Scaling filter by tag key on the server,
// ELBv2 tags are read 20 ARNs per call (the same reader as `destroy --discover`), IAM certificates are the stack's by their path.
import { AutoScalingClient, DescribeTagsCommand as DescribeAsgTags } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, DescribeTagsCommand as DescribeEc2Tags, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient, ListServerCertificatesCommand } from '@aws-sdk/client-iam';
import type { Aws } from '../aws/clients.js';
import { toAlbctlError } from '../aws/errors.js';
import { stackTagKey } from '../aws/tags.js';
import { stackTagValues } from '../steps/elb.js';

/** Tagged resources per stack name. */
export type TaggedStacks = Map<string, number>;

export async function taggedStacks(aws: Aws, signal?: AbortSignal): Promise<TaggedStacks> {
  const o = { abortSignal: signal };
  const scans: [string, () => Promise<string[]>][] = [
    ['EC2 security groups and launch templates', () => ec2Tagged(aws, o)],
    ['EC2 instances', () => instancesTagged(aws, o)],
    ['load balancers and target groups', () => elbTagged(aws, o)],
    ['Auto Scaling groups', () => asgTagged(aws, o)],
    ['IAM server certificates', () => certificatesTagged(aws, o)],
  ];
  const found = await Promise.all(
    scans.map(async ([what, scan]) => {
      try {
        return await scan();
      } catch (err) {
        throw toAlbctlError(err, `finding ${what} tagged ${stackTagKey}`);
      }
    }),
  );
  const counts: TaggedStacks = new Map();
  for (const stack of found.flat()) counts.set(stack, (counts.get(stack) ?? 0) + 1);
  return counts;
}

type Opts = { abortSignal?: AbortSignal };

/** One stack name per tagged resource. */
async function ec2Tagged(aws: Aws, o: Opts): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(EC2Client).send(
      new DescribeEc2Tags({
        Filters: [
          { Name: 'key', Values: [stackTagKey] },
          { Name: 'resource-type', Values: ['security-group', 'launch-template'] },
        ],
        NextToken: token,
      }),
      o,
    );
    out.push(...(page.Tags ?? []).map((t) => t.Value ?? ''));
    token = page.NextToken;
  } while (token);
  return out;
}

/** Instances that are not terminated (a terminated one keeps its tags for a while). */
async function instancesTagged(aws: Aws, o: Opts): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(EC2Client).send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag-key', Values: [stackTagKey] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
        ],
        NextToken: token,
      }),
      o,
    );
    for (const r of page.Reservations ?? []) for (const i of r.Instances ?? []) out.push(i.Tags?.find((t) => t.Key === stackTagKey)?.Value ?? '');
    token = page.NextToken;
  } while (token);
  return out;
}

async function elbTagged(aws: Aws, o: Opts): Promise<string[]> {
  const elb = aws.client(ElasticLoadBalancingV2Client);
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await elb.send(new DescribeLoadBalancersCommand({ Marker: marker }), o);
    arns.push(...(page.LoadBalancers ?? []).map((lb) => lb.LoadBalancerArn!));
    marker = page.NextMarker;
  } while (marker);
  do {
    const page = await elb.send(new DescribeTargetGroupsCommand({ Marker: marker }), o);
    arns.push(...(page.TargetGroups ?? []).map((tg) => tg.TargetGroupArn!));
    marker = page.NextMarker;
  } while (marker);
  return [...(await stackTagValues(elb, arns, o)).values()];
}

async function asgTagged(aws: Aws, o: Opts): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.client(AutoScalingClient).send(new DescribeAsgTags({ Filters: [{ Name: 'key', Values: [stackTagKey] }], NextToken: token }), o);
    out.push(...(page.Tags ?? []).filter((t) => t.ResourceType === 'auto-scaling-group').map((t) => t.Value ?? ''));
    token = page.NextToken;
  } while (token);
  return out;
}

/** albctl uploads under /albctl/<stack>/ (IAM is global: any region's stacks show). */
async function certificatesTagged(aws: Aws, o: Opts): Promise<string[]> {
  const out: string[] = [];
  let marker: string | undefined;
  do {
    const page = await aws.client(IAMClient).send(new ListServerCertificatesCommand({ PathPrefix: '/albctl/', Marker: marker }), o);
    // moto ignores PathPrefix: match the path here as well.
    for (const m of page.ServerCertificateMetadataList ?? []) {
      const stack = /^\/albctl\/([^/]+)\/$/.exec(m.Path ?? '')?.[1];
      if (stack) out.push(stack);
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}
