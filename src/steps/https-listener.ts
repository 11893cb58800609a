// HTTPS:443 (--https-port) forwarding to the target group, presenting the IAM certificate, with
// an explicit security policy: without one CreateListener falls back to ELBSecurityPolicy-2016-08
// (TLS 1.0+), not the console's TLS 1.3 default.
import { CreateListenerCommand, DescribeSSLPoliciesCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { clientRegion } from '../aws/clients.js';
import { awsCode, isNotFound } from '../aws/errors.js';
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
import { rotationDue } from './certificate-rotation.js';
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
  if (ref && 'arn' in ref && ref.arn.includes(':acm:')) await checkAcmCertificate(ctx, ref.arn);
  if (ref && 'name' in ref) await certificateArn(ctx);
  if (ref && 'arn' in ref && ref.arn.includes(':iam:')) {
    const sc = await getServerCertificate(ctx, iamNameOf(ref.arn) ?? '');
    if (sc?.ServerCertificateMetadata?.Arn !== ref.arn) {
      throw new UsageError(`--certificate: there is no IAM server certificate ${ref.arn} in this account`);
    }
  }
}

/**
 * A bring-your-own ACM certificate, before anything changes: in the load balancer's region, there,
 * and ISSUED (a pending or expired one would fail CreateListener after minutes of retries).
 */
async function checkAcmCertificate(ctx: Ctx, arn: string): Promise<void> {
  const region = arn.split(':')[3];
  const here = await clientRegion(elb(ctx));
  if (region !== here) {
    throw new UsageError(`--certificate ${arn} is an ACM certificate in ${region}; the load balancer is in ${here}, and a listener takes certificates of its own region only`);
  }
  const { ACMClient, DescribeCertificateCommand } = await import('@aws-sdk/client-acm');
  let status: string | undefined;
  try {
    status = (await ctx.aws.client(ACMClient).send(new DescribeCertificateCommand({ CertificateArn: arn }), opts(ctx))).Certificate?.Status;
  } catch (err) {
    if (isNotFound(err)) throw new UsageError(`--certificate ${arn}: no such ACM certificate in this account (${awsCode(err)})`);
    throw err;
  }
  if (status !== 'ISSUED') {
    const why = status === 'PENDING_VALIDATION' ? ': finish its DNS or email validation first' : '';
    throw new UsageError(`--certificate ${arn} is ${status ?? 'in an unknown state'} in ACM, not ISSUED${why}`);
  }
}

/** How long IAM may take to show the load balancer a certificate albctl just uploaded. */
const PROPAGATION_MS = 3 * 60_000;

/**
 * CertificateNotFound right after albctl's own IAM upload is eventual consistency: retried, for
 * at most a few minutes. A certificate the user named was checked before anything changed, so
 * for it the error stands at once.
 */
export function retryCertificateNotFound<T>(ctx: Ctx, uploadedByAlbctl: boolean, fn: () => Promise<T>): Promise<T> {
  if (!uploadedByAlbctl) return fn();
  return retryNotYet(fn, {
    pacing: { ...ctx.aws.pacing, timeoutMs: Math.min(ctx.aws.pacing.timeoutMs, PROPAGATION_MS) },
    signal: ctx.signal,
    what: `HTTPS listener :${port(ctx)} waiting for its certificate`,
    retryable: (err) => awsCode(err) === 'CertificateNotFound',
  });
}

/** The certificate is the one `cert --upload` (or `https --certificate <file>`) put into IAM. */
const ownUpload = (ctx: Ctx) => !ctx.inputs.certificate || 'file' in ctx.inputs.certificate;

async function create(ctx: Ctx): Promise<Found<ListenerOut>> {
  const cert = await certificateArn(ctx);
  const out = await retryCertificateNotFound(ctx, ownUpload(ctx), () =>
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
  // A rotation due in this run switches the certificate itself, before this step.
  if (o.certificateArn !== cert && !rotationDue(ctx)) out.push(`certificate: ${o.certificateArn ?? 'none'} → ${cert}`);
  if (!sameAction(o.defaultAction, action(ctx))) out.push(`default action: ${showAction(o.defaultAction)} → ${showAction(action(ctx))}`);
  return out;
}

async function update(ctx: Ctx, cur: Found<ListenerOut>): Promise<Found<ListenerOut>> {
  const cert = await certificateArn(ctx);
  await retryCertificateNotFound(ctx, ownUpload(ctx), () =>
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
