// The web ACL in front of the load balancer: AssociateWebACL. Like stickiness, an association has
// no tags of its own: it is the stack's when it joins the stack's web ACL and load balancer.
// Destroy disassociates it before the web ACL is deleted (WAFAssociatedItemException otherwise).
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand } from '@aws-sdk/client-wafv2';
import { unlessNotFound } from '../aws/errors.js';
import { retryNotYet } from '../aws/poll.js';
import { maybe, need, opts, type Ctx } from '../engine/context.js';
import type { ResourceRecord } from '../state/schema.js';
import type { LoadBalancerOut } from './load-balancer.js';
import type { Found, StatusRow, Step } from './types.js';
import { waf, webAclName, type WebAclOut } from './web-acl.js';

export interface WebAclAssociationOut extends Record<string, unknown> {
  loadBalancerArn: string;
  webAclArn: string;
  webAclName: string;
}

function loadBalancerArn(ctx: Ctx, rec?: ResourceRecord): string | undefined {
  return rec?.id ?? maybe<LoadBalancerOut>(ctx, 'loadBalancer')?.arn;
}

async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<WebAclAssociationOut> | undefined> {
  const lb = loadBalancerArn(ctx, rec);
  if (!lb) return undefined;
  const out = await unlessNotFound(waf(ctx).send(new GetWebACLForResourceCommand({ ResourceArn: lb }), opts(ctx)));
  const acl = out?.WebACL;
  if (!acl?.ARN) return undefined;
  return {
    id: lb,
    name: acl.Name,
    // On the stack's own load balancer; another web ACL there is replaced by converging.
    owned: true,
    outputs: { loadBalancerArn: lb, webAclArn: acl.ARN, webAclName: acl.Name ?? '' },
  };
}

async function associate(ctx: Ctx): Promise<Found<WebAclAssociationOut>> {
  const lb = need<LoadBalancerOut>(ctx, 'loadBalancer', 'alb').arn;
  const acl = need<WebAclOut>(ctx, 'webAcl', 'alb --waf');
  // Right after CreateWebACL, WAF may not see it yet (WAFUnavailableEntityException: not yet).
  await retryNotYet(() => waf(ctx).send(new AssociateWebACLCommand({ WebACLArn: acl.arn, ResourceArn: lb }), opts(ctx)), {
    pacing: ctx.aws.pacing,
    signal: ctx.signal,
    what: `associating web ACL ${acl.name} with ${lb}`,
  });
  return { id: lb, name: acl.name, owned: true, outputs: { loadBalancerArn: lb, webAclArn: acl.arn, webAclName: acl.name } };
}

async function changes(ctx: Ctx, cur: Found<WebAclAssociationOut>): Promise<string[]> {
  const want = need<WebAclOut>(ctx, 'webAcl', 'alb --waf');
  return cur.outputs.webAclArn === want.arn ? [] : [`web ACL: ${cur.outputs.webAclName} → ${want.name}`];
}

async function destroy(ctx: Ctx, cur: Found<WebAclAssociationOut>): Promise<void> {
  await unlessNotFound(waf(ctx).send(new DisassociateWebACLCommand({ ResourceArn: cur.id }), opts(ctx)));
}

/** Another web ACL on the load balancer (the user's, put there since): not ours to take off. */
function keep(ctx: Ctx, cur: Found<WebAclAssociationOut>): string | undefined {
  const ours = webAclName(ctx);
  return cur.outputs.webAclName === ours ? undefined : `the load balancer is protected by ${cur.outputs.webAclName || cur.outputs.webAclArn}, not ${ours}`;
}

async function status(_ctx: Ctx, cur: Found<WebAclAssociationOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [{ resource: 'webAclAssociation', name: o.webAclName, state: 'associated', detail: `protects ${o.loadBalancerArn.split('/').slice(-2, -1)[0] ?? o.loadBalancerArn}`, data: { ...o } }];
}

export const webAclAssociation: Step<WebAclAssociationOut> = {
  id: 'webAclAssociation',
  kind: 'AWS::WAFv2::WebACLAssociation',
  needs: ['loadBalancer', 'webAcl'],
  command: 'alb --waf',
  describe: (ctx) => `web ACL ${webAclName(ctx)} on ${ctx.inputs.albName}`,
  find,
  create: associate,
  changes,
  update: associate,
  destroy,
  keep,
  status,
};
