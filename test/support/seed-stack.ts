// What the seed's console walkthrough builds, checked with the official AWS CLI against moto.
// Used by the shell-script test (every step command in turn) and the wizard tests (init).
import { expect } from 'vitest';
import type { awsCli } from './awscli.js';

type Aws = ReturnType<typeof awsCli>;
type Obj = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const tagFilter = (stack: string) => ['--filters', `Name=tag:albctl:stack,Values=${stack}`];

export interface SeedExpectations {
  stack?: string;
  instances?: number;
  redirectHttp?: boolean;
  stickySeconds?: number;
  metric?: 'ALBRequestCountPerTarget' | 'ASGAverageCPUUtilization';
}

export function expectSeedStack(aws: Aws, want: SeedExpectations = {}): void {
  const stack = want.stack ?? 'albctl';
  // 1. the target group
  const [tg] = aws<Obj>('elbv2', 'describe-target-groups', '--names', `${stack}-tg`).TargetGroups as Obj[];
  expect(tg).toMatchObject({ Protocol: 'HTTP', Port: 8080, ProtocolVersion: 'HTTP1', TargetType: 'instance', HealthCheckPath: '/status' });
  const health = aws<Obj>('elbv2', 'describe-target-health', '--target-group-arn', tg!.TargetGroupArn).TargetHealthDescriptions as Obj[];
  expect(health).toHaveLength(want.instances ?? 2);
  // 2. the load balancer, in two or more AZs, its groups, the HTTP listener
  const [lb] = aws<Obj>('elbv2', 'describe-load-balancers', '--names', `${stack}-alb`).LoadBalancers as Obj[];
  expect(lb).toMatchObject({ Scheme: 'internet-facing', Type: 'application', IpAddressType: 'ipv4' });
  expect((lb!.AvailabilityZones as Obj[]).length).toBeGreaterThanOrEqual(2);
  const groups = aws<Obj>('ec2', 'describe-security-groups', ...tagFilter(stack)).SecurityGroups as Obj[];
  const albSg = groups.find((g) => g.GroupName === `${stack}-alb-sg`)!;
  const webSg = groups.find((g) => g.GroupName === `${stack}-web-sg`)!;
  expect(lb!.SecurityGroups).toEqual([albSg.GroupId]);
  const albPorts = (albSg.IpPermissions as Obj[]).map((p) => `${p.FromPort}:${(p.IpRanges as Obj[]).map((r) => r.CidrIp).join()}`).sort();
  expect(albPorts).toEqual(['443:0.0.0.0/0', '80:0.0.0.0/0']);
  // targets reachable only from the ALB: a group-to-group rule, no CIDR at all
  const web = webSg.IpPermissions as Obj[];
  expect(web.map((p) => p.FromPort)).toEqual([8080]);
  expect(web[0]!.IpRanges).toEqual([]);
  expect((web[0]!.UserIdGroupPairs as Obj[]).map((p) => p.GroupId)).toEqual([albSg.GroupId]);
  const listeners = aws<Obj>('elbv2', 'describe-listeners', '--load-balancer-arn', lb!.LoadBalancerArn).Listeners as Obj[];
  expect(listeners.map((l) => `${l.Protocol}:${l.Port}`).sort()).toEqual(['HTTP:80', 'HTTPS:443']);
  const http = listeners.find((l) => l.Port === 80)!;
  // FSBP ELB.1: HTTP redirects to HTTPS by default wherever HTTPS is built.
  if (want.redirectHttp ?? true) expect(http.DefaultActions[0]).toMatchObject({ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', StatusCode: 'HTTP_301' } });
  else expect(http.DefaultActions[0]).toMatchObject({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn });
  // 3. the certificate in IAM, the HTTPS listener with a TLS 1.3 policy
  const certs = aws<Obj>('iam', 'list-server-certificates').ServerCertificateMetadataList as Obj[];
  expect(certs).toHaveLength(1);
  expect(certs[0]!.ServerCertificateName).toMatch(new RegExp(`^${stack}-cert-\\d{12}$`));
  const https = listeners.find((l) => l.Port === 443)!;
  expect(https).toMatchObject({ Protocol: 'HTTPS', SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09' });
  expect(https.Certificates[0].CertificateArn).toBe(certs[0]!.Arn);
  expect(https.DefaultActions[0]).toMatchObject({ Type: 'forward', TargetGroupArn: tg!.TargetGroupArn });
  // 4. sticky sessions with the load balancer's cookie
  const attrs = Object.fromEntries(
    (aws<Obj>('elbv2', 'describe-target-group-attributes', '--target-group-arn', tg!.TargetGroupArn).Attributes as Obj[]).map((a) => [a.Key, a.Value]),
  );
  expect(attrs).toMatchObject({
    'stickiness.enabled': 'true',
    'stickiness.type': 'lb_cookie',
    'stickiness.lb_cookie.duration_seconds': String(want.stickySeconds ?? 86400),
  });
  // 5. the launch template (IMDSv2, the sample server) and the Auto Scaling group with its policy
  const [version] = aws<Obj>('ec2', 'describe-launch-template-versions', '--launch-template-name', `${stack}-lt`, '--versions', '$Default')
    .LaunchTemplateVersions as Obj[];
  const data = version!.LaunchTemplateData as Obj;
  expect(data).toMatchObject({ InstanceType: 't3.micro', MetadataOptions: { HttpTokens: 'required' } });
  expect(data.ImageId).toMatch(/^ami-/);
  // No public IPv4 (FSBP EC2.9): the groups are on the network interface, as AWS requires beside
  // AssociatePublicIpAddress, not in SecurityGroupIds.
  expect(data.SecurityGroupIds).toBeUndefined();
  expect(data.NetworkInterfaces).toMatchObject([{ DeviceIndex: 0, AssociatePublicIpAddress: false, Groups: [webSg.GroupId] }]);
  expect(Buffer.from(data.UserData as string, 'base64').toString()).toMatch(/X-Served-By/);
  const [group] = aws<Obj>('autoscaling', 'describe-auto-scaling-groups', '--auto-scaling-group-names', `${stack}-asg`).AutoScalingGroups as Obj[];
  expect(group).toMatchObject({ MinSize: 0, MaxSize: 4, DesiredCapacity: 0, HealthCheckType: 'ELB', TargetGroupARNs: [tg!.TargetGroupArn] });
  expect(String(group!.VPCZoneIdentifier).split(',').length).toBeGreaterThanOrEqual(2);
  expect(group!.LaunchTemplate).toMatchObject({ LaunchTemplateName: `${stack}-lt` });
  const [policy] = aws<Obj>('autoscaling', 'describe-policies', '--auto-scaling-group-name', `${stack}-asg`).ScalingPolicies as Obj[];
  const spec = (policy!.TargetTrackingConfiguration as Obj).PredefinedMetricSpecification as Obj;
  expect(policy).toMatchObject({ PolicyType: 'TargetTrackingScaling' });
  expect(spec.PredefinedMetricType).toBe(want.metric ?? 'ALBRequestCountPerTarget');
  if ((want.metric ?? 'ALBRequestCountPerTarget') === 'ALBRequestCountPerTarget') {
    const lbTail = String(lb!.LoadBalancerArn).split(':loadbalancer/')[1];
    const tgTail = String(tg!.TargetGroupArn).split(':')[5];
    expect(spec.ResourceLabel).toBe(`${lbTail}/${tgTail}`);
  }
  // the two instances, running, registered
  const reservations = aws<Obj>('ec2', 'describe-instances', ...tagFilter(stack), 'Name=instance-state-name,Values=running').Reservations as Obj[];
  const ids = reservations.flatMap((r) => (r.Instances as Obj[]).map((i) => i.InstanceId));
  expect(ids).toHaveLength(want.instances ?? 2);
  expect(health.map((h) => h.Target.Id).sort()).toEqual([...ids].sort());
}

/** Nothing tagged albctl:stack=<stack> is left (and nothing billable of the stack's). */
export function expectNothingLeft(aws: Aws, stack = 'albctl'): void {
  expect(aws<Obj>('elbv2', 'describe-load-balancers').LoadBalancers).toEqual([]);
  expect(aws<Obj>('elbv2', 'describe-target-groups').TargetGroups).toEqual([]);
  expect(aws<Obj>('iam', 'list-server-certificates').ServerCertificateMetadataList).toEqual([]);
  expect(aws<Obj>('ec2', 'describe-security-groups', ...tagFilter(stack)).SecurityGroups).toEqual([]);
  expect(aws<Obj>('ec2', 'describe-launch-templates').LaunchTemplates).toEqual([]);
  expect(aws<Obj>('autoscaling', 'describe-auto-scaling-groups').AutoScalingGroups).toEqual([]);
  const live = (aws<Obj>('ec2', 'describe-instances', ...tagFilter(stack)).Reservations as Obj[])
    .flatMap((r) => r.Instances as Obj[])
    .filter((i) => !['terminated', 'shutting-down'].includes(i.State.Name));
  expect(live).toEqual([]);
}
