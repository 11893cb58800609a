// HTTP:80 (--listener-port): forwards to the target group, or, after `albctl https
// --redirect-http`, answers 301 with the same URL on HTTPS.
import { CreateListenerCommand, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { stackTags } from '../aws/tags.js';
import { need, opts, type Ctx } from '../engine/context.js';
import { elb } from './elb.js';
import type { TargetGroupOut } from './target-group.js';
import type { LoadBalancerOut } from './load-balancer.js';
import { deleteListener, findListener, forwardTo, listenerStatus, redirectToHttps, sameAction, showAction, toSdkAction, type DefaultAction, type ListenerOut } from './listener.js';
import type { Found, Step } from './types.js';

const port = (ctx: Ctx) => ctx.inputs.listenerPort;

const redirecting = (ctx: Ctx) => ctx.inputs.redirectHttp === true;

function wantedAction(ctx: Ctx): DefaultAction {
  if (redirecting(ctx)) return redirectToHttps(ctx.inputs.httpsPort);
  return forwardTo(need<TargetGroupOut>(ctx, 'targetGroup', 'target-group').arn);
}

async function create(ctx: Ctx): Promise<Found<ListenerOut>> {
  const out = await elb(ctx).send(
    new CreateListenerCommand({
      LoadBalancerArn: need<LoadBalancerOut>(ctx, 'loadBalancer', 'alb').arn,
      Protocol: 'HTTP',
      Port: port(ctx),
      DefaultActions: [toSdkAction(wantedAction(ctx))],
      Tags: stackTags(ctx.stack),
    }),
    opts(ctx),
  );
  return (await findListener(ctx, { id: out.Listeners![0]!.ListenerArn! }, port(ctx)))!;
}

async function changes(ctx: Ctx, cur: Found<ListenerOut>): Promise<string[]> {
  const out: string[] = [];
  const o = cur.outputs;
  if (o.port !== port(ctx)) out.push(`port: ${o.port} → ${port(ctx)}`);
  if (o.protocol !== 'HTTP') out.push(`protocol: ${o.protocol} → HTTP`);
  const want = wantedAction(ctx);
  if (!sameAction(o.defaultAction, want)) out.push(`default action: ${showAction(o.defaultAction)} → ${showAction(want)}`);
  return out;
}

async function update(ctx: Ctx, cur: Found<ListenerOut>): Promise<Found<ListenerOut>> {
  await elb(ctx).send(
    new ModifyListenerCommand({
      ListenerArn: cur.id,
      Port: port(ctx),
      Protocol: 'HTTP',
      DefaultActions: [toSdkAction(wantedAction(ctx))],
    }),
    opts(ctx),
  );
  return (await findListener(ctx, { id: cur.id }, port(ctx)))!;
}

export const httpListener: Step<ListenerOut> = {
  id: 'httpListener',
  kind: 'AWS::ElasticLoadBalancingV2::Listener',
  needs: ['loadBalancer', 'targetGroup'],
  // Redirect to HTTPS only once the HTTPS listener answers (it may wait minutes for IAM).
  after: (ctx) => (redirecting(ctx) ? ['httpsListener'] : []),
  command: 'alb',
  describe: (ctx) =>
    `HTTP listener :${port(ctx)} → ${redirecting(ctx) ? `301 to HTTPS:${ctx.inputs.httpsPort}` : ctx.inputs.targetGroupName}`,
  find: (ctx, rec) => findListener(ctx, rec, port(ctx)),
  create,
  changes,
  update,
  destroy: deleteListener,
  status: async (_ctx, cur) => listenerStatus('httpListener', cur),
};
