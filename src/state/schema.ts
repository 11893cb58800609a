// The state file's shape (docs/reference.md, "The state file"). Version 1.
import { z } from 'zod';

export const resourceStatus = z.enum(['creating', 'created', 'deleting']);
export type ResourceStatus = z.infer<typeof resourceStatus>;

export const resourceRecord = z.object({
  /** CloudFormation-style type name, e.g. AWS::ElasticLoadBalancingV2::TargetGroup. */
  kind: z.string(),
  /** ARN or id, once AWS has given one. */
  id: z.string().optional(),
  /** The deterministic name, known before the create call. */
  name: z.string().optional(),
  status: resourceStatus,
  createdAt: z.string(),
  updatedAt: z.string(),
  /** What later steps need from this one (ARNs, DNS names, ids). */
  outputs: z.record(z.string(), z.unknown()).default({}),
});
export type ResourceRecord = z.infer<typeof resourceRecord>;

export const runRecord = z.object({
  command: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(['done', 'failed', 'interrupted']).optional(),
});
export type RunRecord = z.infer<typeof runRecord>;

export const stateFile = z.object({
  version: z.literal(1),
  stack: z.string(),
  account: z.string().optional(),
  region: z.string().optional(),
  /** The endpoint the stack was made against (moto, LocalStack), when not AWS itself. */
  endpoint: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Resolved answers (flags, prompts, discovered defaults), so a re-run asks and changes nothing. */
  inputs: z.record(z.string(), z.unknown()).default({}),
  resources: z.record(z.string(), resourceRecord).default({}),
  /** The last `init`: a run with no outcome, or not "done", is one the next `init` offers to resume. */
  lastInit: runRecord.optional(),
  /** The last run that wrote the state (any command): what `albctl list` shows. */
  lastRun: runRecord.optional(),
});
export type StateFile = z.infer<typeof stateFile>;

export function emptyState(stack: string, now = new Date()): StateFile {
  const at = now.toISOString();
  return { version: 1, stack, createdAt: at, updatedAt: at, inputs: {}, resources: {} };
}
