// The web application firewall of `--waf` (FSBP ELB.16): a regional WAFv2 web ACL `<stack>-waf`
// that allows by default and runs the AWS managed common rule set (OWASP-style protections:
// bad inputs, oversized bodies, known exploit patterns), tagged. Deleting it needs its current
// lock token; WAFOptimisticLockException and WAFAssociatedItemException mean "not yet".
import {
  CreateWebACLCommand,
  DeleteWebACLCommand,
  GetWebACLCommand,
  ListTagsForResourceCommand,
  ListWebACLsCommand,
  UpdateWebACLCommand,
  WAFV2Client,
  type Rule,
  type WebACL,
  type WebACLSummary,
} from '@aws-sdk/client-wafv2';
import { unlessNotFound } from '../aws/errors.js';
import { retryNotYet, waitFor } from '../aws/poll.js';
import { ownedBy, stackTags } from '../aws/tags.js';
import { opts, type Ctx } from '../engine/context.js';
import type { ResourceRecord } from '../state/schema.js';
import type { Found, StatusRow, Step } from './types.js';

export interface WebAclOut extends Record<string, unknown> {
  arn: string;
  id: string;
  name: string;
  rules: string[];
}

export const waf = (ctx: Ctx) => ctx.aws.client(WAFV2Client);

export const COMMON_RULE_SET = 'AWSManagedRulesCommonRuleSet';

export const webAclName = (ctx: Ctx) => `${ctx.stack}-waf`;
const metric = (name: string) => name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);

function rules(ctx: Ctx): Rule[] {
  return [
    {
      Name: `AWS-${COMMON_RULE_SET}`,
      Priority: 0,
      Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: COMMON_RULE_SET } },
      OverrideAction: { None: {} },
      VisibilityConfig: { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metric(`${webAclName(ctx)}-common`) },
    },
  ];
}

const visibility = (ctx: Ctx) => ({ SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: metric(webAclName(ctx)) });

async function list(ctx: Ctx): Promise<WebACLSummary[]> {
  const all: WebACLSummary[] = [];
  let NextMarker: string | undefined;
  do {
    const page = await waf(ctx).send(new ListWebACLsCommand({ Scope: 'REGIONAL', NextMarker, Limit: 100 }), opts(ctx));
    all.push(...(page.WebACLs ?? []));
    NextMarker = page.WebACLs?.length ? page.NextMarker : undefined;
  } while (NextMarker);
  return all;
}

async function get(ctx: Ctx, name: string, id: string): Promise<{ acl: WebACL; lockToken: string } | undefined> {
  const out = await unlessNotFound(waf(ctx).send(new GetWebACLCommand({ Name: name, Id: id, Scope: 'REGIONAL' }), opts(ctx)));
  return out?.WebACL ? { acl: out.WebACL, lockToken: out.LockToken ?? '' } : undefined;
}

async function toFound(ctx: Ctx, acl: WebACL): Promise<Found<WebAclOut>> {
  const tags = await waf(ctx).send(new ListTagsForResourceCommand({ ResourceARN: acl.ARN }), opts(ctx));
  return {
    id: acl.ARN!,
    name: acl.Name,
    owned: ownedBy(tags.TagInfoForResource?.TagList as { Key: string; Value: string }[] | undefined, ctx.stack),
    outputs: {
      arn: acl.ARN!,
      id: acl.Id!,
      name: acl.Name!,
      rules: (acl.Rules ?? []).map((r) => r.Statement?.ManagedRuleGroupStatement?.Name ?? r.Name ?? '').filter(Boolean),
    },
  };
}

/** By the recorded ARN's name and id, else by name in the region's list. */
async function find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<WebAclOut> | undefined> {
  const name = rec?.name ?? webAclName(ctx);
  const summary = (await list(ctx)).find((s) => (rec?.id ? s.ARN === rec.id : s.Name === name));
  const got = summary ? await get(ctx, summary.Name!, summary.Id!) : undefined;
  return got ? toFound(ctx, got.acl) : undefined;
}

async function create(ctx: Ctx): Promise<Found<WebAclOut>> {
  const name = webAclName(ctx);
  await waf(ctx).send(
    new CreateWebACLCommand({
      Name: name,
      Scope: 'REGIONAL',
      Description: `albctl stack ${ctx.stack}: AWS managed common rule set`,
      DefaultAction: { Allow: {} },
      Rules: rules(ctx),
      VisibilityConfig: visibility(ctx),
      Tags: stackTags(ctx.stack),
    }),
    opts(ctx),
  );
  return waitFor(() => find(ctx), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `web ACL ${name} to be readable` });
}

async function changes(_ctx: Ctx, cur: Found<WebAclOut>): Promise<string[]> {
  return cur.outputs.rules.includes(COMMON_RULE_SET) ? [] : [`rules: add ${COMMON_RULE_SET}`];
}

async function update(ctx: Ctx, cur: Found<WebAclOut>): Promise<Found<WebAclOut>> {
  await retryNotYet(
    async () => {
      const got = await get(ctx, cur.outputs.name, cur.outputs.id);
      if (!got) return;
      await waf(ctx).send(
        new UpdateWebACLCommand({
          Name: cur.outputs.name,
          Id: cur.outputs.id,
          Scope: 'REGIONAL',
          DefaultAction: got.acl.DefaultAction ?? { Allow: {} },
          Rules: [...(got.acl.Rules ?? []).filter((r) => r.Priority !== 0), ...rules(ctx)],
          VisibilityConfig: got.acl.VisibilityConfig ?? visibility(ctx),
          LockToken: got.lockToken,
        }),
        opts(ctx),
      );
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `updating web ACL ${cur.outputs.name}` },
  );
  return (await find(ctx, { id: cur.id } as ResourceRecord))!;
}

async function destroy(ctx: Ctx, cur: Found<WebAclOut>): Promise<void> {
  const { name, id } = cur.outputs;
  // A fresh lock token each attempt: WAFOptimisticLockException means someone changed it meanwhile.
  await retryNotYet(
    async () => {
      const got = await get(ctx, name, id);
      if (!got) return;
      await unlessNotFound(waf(ctx).send(new DeleteWebACLCommand({ Name: name, Id: id, Scope: 'REGIONAL', LockToken: got.lockToken }), opts(ctx)));
    },
    { pacing: ctx.aws.pacing, signal: ctx.signal, what: `deleting web ACL ${name}` },
  );
  await waitFor(async () => ((await get(ctx, name, id)) ? undefined : true), { pacing: ctx.aws.pacing, signal: ctx.signal, what: `web ACL ${name} to be deleted` });
}

async function status(_ctx: Ctx, cur: Found<WebAclOut>): Promise<StatusRow[]> {
  const o = cur.outputs;
  return [{ resource: 'webAcl', name: o.name, state: 'created', detail: `rules: ${o.rules.join(', ') || 'none'}`, data: { ...o } }];
}

/** The region's web ACLs tagged with the stack (destroy --discover). */
async function discover(ctx: Ctx): Promise<Found<WebAclOut>[]> {
  const found = await Promise.all(
    (await list(ctx)).map(async (s) => {
      const got = await get(ctx, s.Name!, s.Id!);
      return got ? toFound(ctx, got.acl) : undefined;
    }),
  );
  return found.filter((f): f is Found<WebAclOut> => !!f && f.owned);
}

export const webAcl: Step<WebAclOut> = {
  id: 'webAcl',
  kind: 'AWS::WAFv2::WebACL',
  needs: [],
  command: 'alb --waf',
  name: webAclName,
  describe: (ctx) => `web ACL ${webAclName(ctx)} (${COMMON_RULE_SET})`,
  find,
  create,
  changes,
  update,
  destroy,
  status,
  discover,
};
