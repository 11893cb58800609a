// What the HTTP and HTTPS listeners share: find by id or by load balancer + port, the default
// action (forward to the target group, or a 301 redirect to HTTPS) in a comparable form, delete
// and wait until gone. Not a step itself.
import {
  DeleteListenerCommand,
  DescribeListenersCommand,
  type Action,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { unlessNotFound } from '../aws/errors.js';
import { waitFor } from '../aws/poll.js';
import { maybe, opts, type Ctx } from '../engine/context.js';
import { elb, elbOwned } from './elb.js';
import type { ResourceRecord } from '../state/schema.js';
import type { LoadBalancerOut } from './load-balancer.js';
import type { Found, StatusRow } from './types.js';

export type DefaultAction =
  | { type: 'forward'; targetGroupArn: string }
  | { type: 'redirect'; protocol: string; port: string; host: string; path: string; query: string; statusCode: string }
  | { type: string; raw: string };

export interface ListenerOut extends Record<string, unknown> {
  arn: string;
  loadBalancerArn: string;
  protocol: string;
  port: number;
  defaultAction: DefaultAction;
  sslPolicy?: string;
  certificateArn?: string;
  /** The load balancer's DNS name and the listener's URL (`https://<dns>/`), for loadtest and scripts. */
  dnsName?: string;
  url?: string;
}

export function forwardTo(targetGroupArn: string): DefaultAction {
  return { type: 'forward', targetGroupArn };
}

/** HTTP → HTTPS, keeping host, path and query: the console's "Redirect to HTTPS" with 301. */
export function redirectToHttps(port: number): DefaultAction {
  return { type: 'redirect', protocol: 'HTTPS', port: String(port), host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 'HTTP_301' };
}

export function toSdkAction(a: DefaultAction): Action {
  if (a.type === 'forward' && 'targetGroupArn' in a) return { Type: 'forward', TargetGroupArn: a.targetGroupArn };
  if (a.type === 'redirect' && 'statusCode' in a) {
    return {
      Type: 'redirect',
      RedirectConfig: { Protocol: a.protocol, Port: a.port, Host: a.host, Path: a.path, Query: a.query, StatusCode: a.statusCode as 'HTTP_301' },
    };
  }
  throw new Error(`internal error: cannot send action ${JSON.stringify(a)}`);
}

export function fromSdkAction(actions: readonly Action[] | undefined): DefaultAction {
  const a = actions?.[actions.length - 1]; // the last default action is the terminal one
  const single = a?.ForwardConfig?.TargetGroups?.length === 1 ? a.ForwardConfig.TargetGroups[0]?.TargetGroupArn : undefined;
  if (a?.Type === 'forward' && (a.TargetGroupArn ?? single)) return forwardTo((a.TargetGroupArn ?? single)!);
  if (a?.Type === 'redirect' && a.RedirectConfig) {
    const r = a.RedirectConfig;
    return {
      type: 'redirect',
      protocol: r.Protocol ?? '#{protocol}',
      port: r.Port ?? '#{port}',
      host: r.Host ?? '#{host}',
      path: r.Path ?? '/#{path}',
      query: r.Query ?? '#{query}',
      statusCode: r.StatusCode ?? 'HTTP_301',
    };
  }
  return { type: a?.Type ?? 'none', raw: JSON.stringify(actions ?? []) };
}

export function sameAction(a: DefaultAction, b: DefaultAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `forward → albctl-tg`, `redirect 301 → HTTPS:443` */
export function showAction(a: DefaultAction): string {
  if (a.type === 'forward' && 'targetGroupArn' in a) return `forward → ${a.targetGroupArn.split('/')[1] ?? a.targetGroupArn}`;
  if (a.type === 'redirect' && 'statusCode' in a) return `redirect ${a.statusCode.replace('HTTP_', '')} → ${a.protocol}:${a.port}`;
  return a.type;
}

async function toFound(ctx: Ctx, l: Listener): Promise<Found<ListenerOut>> {
  const arn = l.ListenerArn!;
  const outputs: ListenerOut = {
    arn,
    loadBalancerArn: l.LoadBalancerArn!,
    protocol: l.Protocol ?? '',
    port: l.Port ?? 0,
    defaultAction: fromSdkAction(l.DefaultActions),
  };
  const lb = maybe<LoadBalancerOut>(ctx, 'loadBalancer');
  const dnsName = lb && lb.arn === l.LoadBalancerArn ? lb.dnsName : undefined;
  if (dnsName) {
    const scheme = l.Protocol === 'HTTPS' ? 'https' : 'http';
    const implicit = (scheme === 'https' && l.Port === 443) || (scheme === 'http' && l.Port === 80);
    outputs.dnsName = dnsName;
    outputs.url = `${scheme}://${dnsName}${implicit ? '' : `:${l.Port}`}/`;
  }
  if (l.Protocol === 'HTTPS' || l.Protocol === 'TLS') {
    if (l.SslPolicy) outputs.sslPolicy = l.SslPolicy;
    const cert = l.Certificates?.find((c) => c.IsDefault !== false)?.CertificateArn ?? l.Certificates?.[0]?.CertificateArn;
    if (cert) outputs.certificateArn = cert;
  }
  return { id: arn, owned: await elbOwned(ctx, arn), outputs };
}

async function byArn(ctx: Ctx, arn: string): Promise<Listener | undefined> {
  const out = await unlessNotFound(elb(ctx).send(new DescribeListenersCommand({ ListenerArns: [arn] }), opts(ctx)));
  return out?.Listeners?.[0];
}

/**
 * By the recorded ARN, else the load balancer's listener on `port` (the load balancer from this
 * run or the state; without one there can be no listener).
 */
export async function findListener(ctx: Ctx, rec: Pick<ResourceRecord, 'id'> | undefined, port: number): Promise<Found<ListenerOut> | undefined> {
  if (rec?.id) {
    const l = await byArn(ctx, rec.id);
    if (l) return toFound(ctx, l);
  }
  const lb = maybe<LoadBalancerOut>(ctx, 'loadBalancer');
  if (!lb) return undefined;
  const listeners = await unlessNotFound(elb(ctx).send(new DescribeListenersCommand({ LoadBalancerArn: lb.arn }), opts(ctx)));
  const l = listeners?.Listeners?.find((x) => x.Port === port);
  return l ? toFound(ctx, l) : undefined;
}

export async function deleteListener(ctx: Ctx, cur: Found<ListenerOut>): Promise<void> {
  await unlessNotFound(elb(ctx).send(new DeleteListenerCommand({ ListenerArn: cur.id }), opts(ctx)));
  await waitFor(async () => ((await byArn(ctx, cur.id)) ? undefined : true), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `listener ${cur.outputs.protocol}:${cur.outputs.port} to be deleted`,
  });
}

export function listenerStatus(resource: string, cur: Found<ListenerOut>): StatusRow[] {
  const o = cur.outputs;
  const tls = o.sslPolicy ? `, ${o.sslPolicy}, certificate ${o.certificateArn?.split('/').pop() ?? 'none'}` : '';
  return [{ resource, name: `${o.protocol}:${o.port}`, state: 'created', detail: `${showAction(o.defaultAction)}${tls}`, data: { ...o } }];
}
