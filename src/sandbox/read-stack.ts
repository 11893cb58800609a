// Read the stack's data plane from the emulator: the load balancer and its attributes, every
// listener (default action, security policy, IAM certificate), the target groups they forward to
// (health check, attributes) and their registered targets with each instance's AZ. Reads only.
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeSSLPoliciesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Action,
  type Listener,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetServerCertificateCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Aws } from '../aws/clients.js';
import { unlessNotFound } from '../aws/errors.js';
import { fromSdkAction } from '../steps/listener.js';
import { healthCheckOf } from '../steps/target-group.js';
import { RuntimeError } from '../errors.js';
import type { ActionView, ListenerView, StackView, TargetGroupView, TargetView, TlsView } from './stack-view.js';

type Call = { abortSignal: AbortSignal };

/** The load balancer was deleted (`albctl destroy` in another terminal): nothing left to serve. */
export class LoadBalancerGone extends RuntimeError {
  constructor(arn: string) {
    super(`data plane: the load balancer ${arn.split('/').slice(-2, -1)[0] ?? arn} is gone`);
  }
}

const attribute = (attrs: { Key?: string; Value?: string }[] | undefined, key: string) => attrs?.find((a) => a.Key === key)?.Value;

export async function readStack(aws: Aws, loadBalancerArn: string, signal: AbortSignal): Promise<StackView> {
  const elb = aws.client(ElasticLoadBalancingV2Client);
  const call: Call = { abortSignal: signal };
  const lb = (await unlessNotFound(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [loadBalancerArn] }), call)))?.LoadBalancers?.[0];
  if (!lb) throw new LoadBalancerGone(loadBalancerArn);
  const [lbAttrs, listeners] = await Promise.all([
    elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: loadBalancerArn }), call),
    elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }), call),
  ]);
  const listenerViews = await Promise.all((listeners.Listeners ?? []).map((l) => listenerView(aws, l, call)));
  const tgArns = [...new Set(listenerViews.flatMap((l) => (l.action.type === 'forward' ? [l.action.targetGroupArn] : [])))];
  const targetGroups = tgArns.length === 0 ? [] : await readTargetGroups(aws, tgArns, call);
  return {
    loadBalancer: {
      arn: loadBalancerArn,
      name: lb.LoadBalancerName ?? '',
      dnsName: lb.DNSName ?? '',
      idleTimeoutSeconds: Number(attribute(lbAttrs.Attributes, 'idle_timeout.timeout_seconds') ?? 60),
    },
    listeners: listenerViews.sort((a, b) => a.port - b.port),
    targetGroups,
    targets: await readTargets(aws, targetGroups, call),
  };
}

/** A listener's default action: forward and redirect as the listener steps read them, and a fixed response. */
export function actionView(actions: readonly Action[] | undefined): ActionView {
  const known = fromSdkAction(actions);
  if (known.type === 'forward' && 'targetGroupArn' in known) return known;
  if (known.type === 'redirect' && 'statusCode' in known) return { ...known, statusCode: known.statusCode === 'HTTP_302' ? 302 : 301 };
  const a = actions?.[actions.length - 1]; // the last default action is the terminal one
  if (a?.Type === 'fixed-response' && a.FixedResponseConfig) {
    const f = a.FixedResponseConfig;
    return { type: 'fixed-response', statusCode: Number(f.StatusCode ?? 503), contentType: f.ContentType ?? 'text/plain', body: f.MessageBody ?? '' };
  }
  return { type: 'unsupported', what: a?.Type === 'forward' ? 'a weighted forward to several target groups' : `the action ${a?.Type ?? '(none)'}` };
}

async function listenerView(aws: Aws, l: Listener, call: Call): Promise<ListenerView> {
  const base = { arn: l.ListenerArn!, protocol: l.Protocol ?? 'HTTP', port: l.Port ?? 0, action: actionView(l.DefaultActions) };
  if (l.Protocol !== 'HTTPS') return { ...base, tls: null };
  return { ...base, tls: await tlsView(aws, l, call) };
}

async function tlsView(aws: Aws, l: Listener, call: Call): Promise<TlsView | null> {
  const certificateArn = l.Certificates?.find((c) => c.IsDefault !== false)?.CertificateArn ?? l.Certificates?.[0]?.CertificateArn;
  if (!certificateArn) return null;
  // Without a policy name AWS (and moto) use ELBSecurityPolicy-2016-08.
  const policy = l.SslPolicy ?? 'ELBSecurityPolicy-2016-08';
  const [policies, cert] = await Promise.all([
    aws.client(ElasticLoadBalancingV2Client).send(new DescribeSSLPoliciesCommand({ Names: [policy] }), call),
    // An IAM server certificate's ARN ends with its path and name: .../server-certificate/<path>/<name>.
    aws.client(IAMClient).send(new GetServerCertificateCommand({ ServerCertificateName: certificateArn.split('/').pop()! }), call),
  ]);
  const p = policies.SslPolicies?.[0];
  const body = cert.ServerCertificate?.CertificateBody ?? '';
  const chain = cert.ServerCertificate?.CertificateChain ?? '';
  return {
    policy,
    protocols: p?.SslProtocols ?? ['TLSv1.2'],
    ciphers: [...(p?.Ciphers ?? [])].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0)).map((c) => c.Name!).filter(Boolean),
    certificateArn,
    certificatePem: `${body.trim()}\n${chain.trim() ? `${chain.trim()}\n` : ''}`,
  };
}

async function readTargetGroups(aws: Aws, arns: string[], call: Call): Promise<TargetGroupView[]> {
  const elb = aws.client(ElasticLoadBalancingV2Client);
  const out = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: arns }), call);
  return Promise.all(
    (out.TargetGroups ?? []).map(async (tg) => {
      const attrs = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg.TargetGroupArn }), call);
      return targetGroupView(tg, attrs.Attributes ?? []);
    }),
  );
}

export function targetGroupView(tg: TargetGroup, attrs: { Key?: string; Value?: string }[]): TargetGroupView {
  const get = (k: string) => attribute(attrs, k);
  return {
    arn: tg.TargetGroupArn!,
    name: tg.TargetGroupName!,
    protocol: tg.Protocol ?? 'HTTP',
    protocolVersion: tg.ProtocolVersion ?? 'HTTP1',
    port: tg.Port ?? 80,
    healthCheck: { ...healthCheckOf(tg), protocol: tg.HealthCheckProtocol ?? tg.Protocol ?? 'HTTP' },
    stickiness: {
      enabled: get('stickiness.enabled') === 'true',
      type: get('stickiness.type') ?? 'lb_cookie',
      durationSeconds: Number(get('stickiness.lb_cookie.duration_seconds') ?? 86400),
    },
    algorithm: get('load_balancing.algorithm.type') ?? 'round_robin',
    slowStartSeconds: Number(get('slow_start.duration_seconds') ?? 0),
    deregistrationDelaySeconds: Number(get('deregistration_delay.timeout_seconds') ?? 300),
  };
}

/** Registered targets whose instance is pending or running, with the instance's AZ. */
export async function readTargets(aws: Aws, groups: readonly Pick<TargetGroupView, 'arn' | 'port'>[], call: Call): Promise<TargetView[]> {
  const elb = aws.client(ElasticLoadBalancingV2Client);
  const registered = (
    await Promise.all(
      groups.map(async (tg) => {
        const h = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.arn }), call);
        return (h.TargetHealthDescriptions ?? [])
          // A target being deregistered is draining on AWS: no new requests.
          .filter((d) => d.TargetHealth?.State !== 'draining' && d.TargetHealth?.State !== 'unused')
          .map((d) => ({ targetGroupArn: tg.arn, id: d.Target!.Id!, port: d.Target?.Port ?? tg.port }));
      }),
    )
  ).flat();
  const ids = [...new Set(registered.map((t) => t.id))];
  if (ids.length === 0) return [];
  const az = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await aws.client(EC2Client).send(
      // A filter rather than InstanceIds: an id AWS no longer knows is then left out, not an error.
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'instance-id', Values: ids },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
        NextToken: token,
      }),
      call,
    );
    for (const i of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) az.set(i.InstanceId!, i.Placement?.AvailabilityZone ?? '');
    token = page.NextToken;
  } while (token);
  return registered.filter((t) => az.has(t.id)).map((t) => ({ ...t, az: az.get(t.id)! }));
}
