// The AWS Foundational Security Best Practices controls that apply to what albctl builds, checked
// through the official AWS CLI against moto (an independent look, not albctl's own reading):
// first the default stack, then one built with --access-logs --waf --ssm --instance-types.
// moto 5.2.5 differs from AWS here: it stores load balancer attributes without checking them
// (AWS refuses a desync mode other than monitor/defensive/strictest) and lets DeleteLoadBalancer
// through deletion protection (AWS: OperationNotPermitted); it writes no access logs and checks no
// bucket policy at ModifyLoadBalancerAttributes (AWS writes ELBAccessLogTestFile first); and a
// web ACL's managed rule group is stored, never evaluated.
import { describe, expect, it } from 'vitest';
import { awsCli, hasAwsCli } from '../support/awscli.js';
import { census } from '../support/census.js';
import { runCli, tempDir, useMoto } from '../support/harness.js';

const moto = useMoto({ managedPolicies: true }); // --ssm attaches AmazonSSMManagedInstanceCore

type Attrs = { Attributes: { Key: string; Value: string }[] };
// The CLI's JSON, read loosely: the assertions say what each field must be.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const attr = (a: Attrs, key: string) => a.Attributes.find((x) => x.Key === key)?.Value;

/** The stack's load balancer ARN and attributes, its listeners, its template data, its instances. */
function look(endpoint: string) {
  const aws = awsCli(endpoint);
  const lb = aws<{ LoadBalancers: { LoadBalancerArn: string; AvailabilityZones: unknown[] }[] }>('elbv2', 'describe-load-balancers', '--names', 'albctl-alb').LoadBalancers[0]!;
  const attrs = aws<Attrs>('elbv2', 'describe-load-balancer-attributes', '--load-balancer-arn', lb.LoadBalancerArn);
  const listeners = aws<{ Listeners: { Port: number; DefaultActions: { Type: string; RedirectConfig?: { Protocol: string } }[] }[] }>(
    'elbv2', 'describe-listeners', '--load-balancer-arn', lb.LoadBalancerArn,
  ).Listeners;
  const lt = aws<{ LaunchTemplateVersions: { LaunchTemplateData: Loose }[] }>(
    'ec2', 'describe-launch-template-versions', '--launch-template-name', 'albctl-lt', '--versions', '$Default',
  ).LaunchTemplateVersions[0]!.LaunchTemplateData;
  const instances = aws<{ Reservations: { Instances: Loose[] }[] }>(
    'ec2', 'describe-instances', '--filters', 'Name=tag:albctl:role,Values=instance', 'Name=instance-state-name,Values=running',
  ).Reservations.flatMap((r) => r.Instances);
  const asg = aws<{ AutoScalingGroups: Loose[] }>('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', 'albctl-asg').AutoScalingGroups[0]!;
  return { aws, lb, attrs, listeners, lt, instances, asg };
}

describe.skipIf(!hasAwsCli())('FSBP controls, checked with the AWS CLI', () => {
  it('the default stack: ELB.1 redirect, ELB.4, ELB.6, ELB.12, multi-AZ, IMDSv2 on template and instances, no public IPv4, ELB health checks', async () => {
    const dir = await tempDir();
    const built = await runCli(['init', '--yes'], { cwd: dir, env: moto.env });
    expect(built.code, built.stderr).toBe(0);
    const { attrs, lb, listeners, lt, instances, asg } = look(moto.url);
    // ELB.1: HTTP answers with a redirect to HTTPS.
    const http = listeners.find((l) => l.Port === 80)!;
    expect(http.DefaultActions[0]!.Type).toBe('redirect');
    expect(http.DefaultActions[0]!.RedirectConfig!.Protocol).toBe('HTTPS');
    // ELB.4, ELB.6, ELB.12; ELB.5 off by default (a cost), said by status below.
    expect(attr(attrs, 'routing.http.drop_invalid_header_fields.enabled')).toBe('true');
    expect(attr(attrs, 'deletion_protection.enabled')).toBe('true');
    expect(attr(attrs, 'routing.http.desync_mitigation_mode')).toBe('defensive');
    expect(attr(attrs, 'access_logs.s3.enabled')).toBe('false');
    // ELB.13 and AutoScaling.2: several AZs; AutoScaling.1: ELB health checks.
    expect(lb.AvailabilityZones.length).toBeGreaterThanOrEqual(2);
    expect(asg.HealthCheckType).toBe('ELB');
    expect(new Set(String(asg.VPCZoneIdentifier).split(',')).size).toBeGreaterThanOrEqual(2);
    // EC2.8 / AutoScaling.3: IMDSv2 in the template and on the instances `instances` launched
    // (moto does not apply the template's MetadataOptions: this proves the launch call sets them).
    expect(lt.MetadataOptions.HttpTokens).toBe('required');
    expect(instances).toHaveLength(2);
    for (const i of instances) expect(i.MetadataOptions.HttpTokens).toBe('required');
    // EC2.9: no public IPv4 without a key pair, in the template and on the instances.
    expect(lt.NetworkInterfaces[0].AssociatePublicIpAddress).toBe(false);
    expect(lt.SecurityGroupIds).toBeUndefined();
    for (const i of instances) expect(i.PublicIpAddress).toBeUndefined();
    // The controls albctl leaves off by default are named, with why, by status.
    const status = await runCli(['status', '--json'], { cwd: dir, env: moto.env });
    expect(status.code, status.stderr).toBe(0);
    const rows = JSON.parse(status.stdout).resources as { resource: string; name: string; state: string; detail: string }[];
    const controls = rows.filter((r) => r.resource === 'control');
    expect(controls.filter((c) => c.state === 'off').map((c) => c.name).sort()).toEqual(['AutoScaling.6', 'ELB.16', 'ELB.5', 'SSM.1']);
    for (const c of controls.filter((x) => x.state === 'off')) expect(c.detail).toMatch(/--[a-z-]+/);
    expect(controls.find((c) => c.name === 'ELB.6')!.state).toBe('on');
  }, 120_000);

  it('--access-logs --waf --ssm --instance-types: an encrypted private log bucket with the delivery policy, a web ACL, an instance profile, a mixed instances policy; destroy keeps only the bucket', async () => {
    const dir = await tempDir();
    const built = await runCli(['init', '--yes', '--access-logs', '--waf', '--ssm', '--instance-types', 't3.micro,t3a.micro'], { cwd: dir, env: moto.env });
    expect(built.code, built.stderr).toBe(0);
    const { aws, lb, attrs, lt, asg } = look(moto.url);
    const bucket = 'albctl-logs-123456789012-us-east-1';
    expect(attr(attrs, 'access_logs.s3.enabled')).toBe('true');
    expect(attr(attrs, 'access_logs.s3.bucket')).toBe(bucket);
    expect(attr(attrs, 'access_logs.s3.prefix')).toBe('alb');
    const enc = aws<{ ServerSideEncryptionConfiguration: { Rules: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] } }>('s3api', 'get-bucket-encryption', '--bucket', bucket);
    expect(enc.ServerSideEncryptionConfiguration.Rules[0]!.ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    const block = aws<{ PublicAccessBlockConfiguration: Record<string, boolean> }>('s3api', 'get-public-access-block', '--bucket', bucket);
    expect(Object.values(block.PublicAccessBlockConfiguration)).toEqual([true, true, true, true]);
    const policy = JSON.parse(aws<{ Policy: string }>('s3api', 'get-bucket-policy', '--bucket', bucket).Policy);
    const write = policy.Statement.find((s: { Sid: string }) => s.Sid === 'ElbLogDelivery');
    expect(write.Principal).toEqual({ AWS: 'arn:aws:iam::127311923021:root' }); // us-east-1's ELB account
    expect(write.Resource).toBe(`arn:aws:s3:::${bucket}/alb/AWSLogs/123456789012/*`);
    expect(JSON.stringify(policy)).toContain('aws:SecureTransport');
    const tags = aws<{ TagSet: { Key: string; Value: string }[] }>('s3api', 'get-bucket-tagging', '--bucket', bucket).TagSet;
    expect(tags).toContainEqual({ Key: 'albctl:stack', Value: 'albctl' });
    // ELB.16: the web ACL with the common rule set, on the load balancer, tagged.
    const acl = aws<{ WebACL: { Name: string; ARN: string; Rules: { Statement: { ManagedRuleGroupStatement: { Name: string } } }[] } }>(
      'wafv2', 'get-web-acl-for-resource', '--resource-arn', lb.LoadBalancerArn,
    ).WebACL;
    expect(acl.Name).toBe('albctl-waf');
    expect(acl.Rules.map((r) => r.Statement.ManagedRuleGroupStatement.Name)).toEqual(['AWSManagedRulesCommonRuleSet']);
    const aclTags = aws<{ TagInfoForResource: { TagList: { Key: string; Value: string }[] } }>('wafv2', 'list-tags-for-resource', '--resource-arn', acl.ARN);
    expect(aclTags.TagInfoForResource.TagList).toContainEqual({ Key: 'albctl:stack', Value: 'albctl' });
    // SSM: role with the managed policy, in the profile the template names.
    const attached = aws<{ AttachedPolicies: { PolicyName: string }[] }>('iam', 'list-attached-role-policies', '--role-name', 'albctl-ssm-role').AttachedPolicies;
    expect(attached.map((p) => p.PolicyName)).toEqual(['AmazonSSMManagedInstanceCore']);
    const profile = aws<{ InstanceProfile: { Arn: string; Roles: { RoleName: string }[] } }>('iam', 'get-instance-profile', '--instance-profile-name', 'albctl-ssm-profile').InstanceProfile;
    expect(profile.Roles.map((r) => r.RoleName)).toEqual(['albctl-ssm-role']);
    expect(lt.IamInstanceProfile.Arn).toBe(profile.Arn);
    // AutoScaling.6: a mixed instances policy over both types.
    expect(asg.MixedInstancesPolicy.LaunchTemplate.Overrides.map((o: { InstanceType: string }) => o.InstanceType)).toEqual(['t3.micro', 't3a.micro']);
    const counted = await census(moto.client, 'albctl');
    expect([counted.logBuckets, counted.webAcls, counted.webAclAssociations, counted.instanceRoles, counted.instanceProfiles]).toEqual([1, 1, 1, 1, 1]);

    const destroyed = await runCli(['destroy', '--yes'], { cwd: dir, env: moto.env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(destroyed.stderr).toMatch(/kept access log bucket/);
    const left = await census(moto.client, 'albctl');
    expect(left).toEqual({ ...left, loadBalancers: 0, webAcls: 0, webAclAssociations: 0, instanceRoles: 0, instanceProfiles: 0, logBuckets: 1 });
  }, 120_000);
});
