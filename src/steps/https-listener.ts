// HTTPS:443 (--https-port) forwarding to the target group, presenting the IAM certificate, with
// an explicit security policy: without one CreateListener falls back to ELBSecurityPolicy-2016-08
// (TLS 1.0+), not the console's TLS 1.3 default.
import { CreateListenerCommand, DescribeSSLPoliciesCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsCode } from '../aws/errors.js';
import { retryNotYet } from '../aws/poll.js';
import { stackTags } from '../aws/tags.js';
import { need, opts, type Ctx } from '../engine/context.js';
import { elb } from './elb.js';
import { UsageError } from '../errors.js';
import { DEFAULT_SSL_POLICY } from '../inputs/https.js';
import type { LoadBalancerOut } from './load-balancer.js';
import { deleteListener, findListener, forwardTo, listenerStatus, sameAction, showAction, toSdkAction, type ListenerOut } from './listener.js';
import { getServerCertificate, type ServerCertificateOut } from './server-certificate.js';
import type { TargetGroupOut } from './target-group.js';
import type { Found, Step } from './types.js';

const port = (ctx: Ctx) => ctx.inputs.httpsPort;
const policy = (ctx: Ctx) => ctx.inputs.sslPolicy;
const action = (ctx: Ctx) => forwardTo(need<TargetGroupOut>(ctx, 'targetGroup', 'target-group').arn);

/** `arn:aws:iam::123:server-certificate/albctl/s/s-cert-1` → `s-cert-1` */
function iamNameOf(arn: string): string | undefined {
  return /:server-certificate\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

/** --certificate as an ARN, or an IAM name looked up; else the server certificate step's (this run or the state). */
async function certificateArn(ctx: Ctx): Promise<string> {
  const ref = ctx.inputs.certificate;
  if (ref && 'arn' in ref) return ref.arn;
  if (ref && 'name' in ref) {
    const sc = await getServerCertificate(ctx, ref.name);
    if (!sc) throw new UsageError(`--certificate: there is no IAM server certificate named ${ref.name}`);
    return sc.ServerCertificateMetadata!.Arn!;
  }
  return need<ServerCertificateOut>(ctx, 'serverCertificate', 'cert --upload').arn;
}

/** Read-only: the policy exists; an IAM certificate named by --certificate exists. */
async function check(ctx: Ctx): Promise<void> {
  const name = policy(ctx);
  let known = false;
  try {
    const out = await elb(ctx).send(new DescribeSSLPoliciesCommand({ Names: [name] }), opts(ctx));
    known = (out.SslPolicies ?? []).some((p) => p.Name === name);
  } catch (err) {
    // AWS answers SSLPolicyNotFound; moto answers an empty list.
    if (awsCode(err) !== 'SSLPolicyNotFound') throw err;
  }
  if (!known) {
    throw new UsageError(`--ssl-policy ${name} is not an ELB security policy in this region (aws elbv2 describe-ssl-policies lists them; default ${DEFAULT_SSL_POLICY})`);
  }
  const ref = ctx.inputs.certificate;
  if (ref && 'name' in ref) await certificateArn(ctx);
  if (ref && 'arn' in ref && ref.arn.includes(':iam:')) {
    const sc = await getServerCertificate(ctx, iamNameOf(ref.arn) ?? '');
    if (sc?.ServerCertificateMetadata?.Arn !== ref.arn) {
      throw new UsageError(`--certificate: there is no IAM server certificate ${ref.arn} in this account`);
    }
  }
}

/** CertificateNotFound right after the IAM upload is eventual consistency: retry for minutes. */
function retryCertificateNotFound<T>(ctx: Ctx, fn: () => Promise<T>): Promise<T> {
  return retryNotYet(fn, {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `HTTPS listener :${port(ctx)} waiting for its certificate`,
    retryable: (err) => awsCode(err) === 'CertificateNotFound',
  });
}

async function create(ctx: Ctx): Promise<Found<ListenerOut>> {
  const cert = await certificateArn(ctx);
  const out = await retryCertificateNotFound(ctx, () =>
    elb(ctx).send(
      new CreateListenerCommand({
        LoadBalancerArn: need<LoadBalancerOut>(ctx, 'loadBalancer', 'alb').arn,
        Protocol: 'HTTPS',
        Port: port(ctx),
        SslPolicy: policy(ctx),
        Certificates: [{ CertificateArn: cert }],
        DefaultActions: [toSdkAction(action(ctx))],
        Tags: stackTags(ctx.stack),
      }),
      opts(ctx),
    ),
  );
  return (await findListener(ctx, { id: out.Listeners![0]!.ListenerArn! }, port(ctx)))!;
}

async function changes(ctx: Ctx, cur: Found<ListenerOut>): Promise<string[]> {
  const o = cur.outputs;
  const out: string[] = [];
  if (o.port !== port(ctx)) out.push(`port: ${o.port} → ${port(ctx)}`);
  if (o.protocol !== 'HTTPS') out.push(`protocol: ${o.protocol} → HTTPS`);
  if (o.sslPolicy !== policy(ctx)) out.push(`security policy: ${o.sslPolicy ?? 'none'} → ${policy(ctx)}`);
  const cert = await certificateArn(ctx);
  if (o.certificateArn !== cert) out.push(`certificate: ${o.certificateArn ?? 'none'} → ${cert}`);
  if (!sameAction(o.defaultAction, action(ctx))) out.push(`default action: ${showAction(o.defaultAction)} → ${showAction(action(ctx))}`);
  return out;
}

async function update(ctx: Ctx, cur: Found<ListenerOut>): Promise<Found<ListenerOut>> {
  const cert = await certificateArn(ctx);
  await retryCertificateNotFound(ctx, () =>
    elb(ctx).send(
      new ModifyListenerCommand({
        ListenerArn: cur.id,
        Port: port(ctx),
        Protocol: 'HTTPS',
        SslPolicy: policy(ctx),
        Certificates: [{ CertificateArn: cert }],
        DefaultActions: [toSdkAction(action(ctx))],
      }),
      opts(ctx),
    ),
  );
  return (await findListener(ctx, { id: cur.id }, port(ctx)))!;
}

export const httpsListener: Step<ListenerOut> = {
  id: 'httpsListener',
  kind: 'AWS::ElasticLoadBalancingV2::Listener',
  needs: ['loadBalancer', 'targetGroup', 'serverCertificate'],
  command: 'https',
  describe: (ctx) => `HTTPS listener :${port(ctx)} (${policy(ctx)}) → ${ctx.inputs.targetGroupName}`,
  check,
  find: (ctx, rec) => findListener(ctx, rec, port(ctx)),
  create,
  changes,
  update,
  destroy: deleteListener,
  status: async (_ctx, cur) => listenerStatus('httpsListener', cur),
};
