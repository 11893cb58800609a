// A step: one AWS resource, as plain small functions. The engine owns the lifecycle
// (state lookup, find, mark creating, create, converge, record); a step only talks to AWS.
import type { Ctx, Outputs } from '../engine/context.js';
import type { ResourceRecord } from '../state/schema.js';

export interface Found<O extends Outputs = Outputs> {
  id: string;
  name?: string;
  outputs: O;
  /** Carries this stack's albctl:stack tag (or was recorded by this stack's state). */
  owned: boolean;
}

export interface StatusRow {
  resource: string;
  name: string;
  state: string;
  detail: string;
  data?: Record<string, unknown>;
}

export interface Step<O extends Outputs = Outputs> {
  id: string;
  /** CloudFormation-style type, recorded in the state. */
  kind: string;
  /** Steps whose outputs this one uses; destroy runs in the reverse order. */
  needs: string[];
  /**
   * Steps that must finish first in this run, beyond `needs`, depending on the inputs (the HTTP
   * listener becomes a redirect only after the HTTPS listener it points to exists). Apply only.
   */
  after?(ctx: Ctx): string[];
  /** The `albctl` command that makes this step (named in "run ... first" errors). */
  command: string;
  /** A discovery step: runs every time it is needed, owns nothing, never in the state. */
  ephemeral?: boolean;
  /** The deterministic name, known before the create call. */
  name?(ctx: Ctx): string | undefined;
  describe(ctx: Ctx): string;
  /** Read-only validation against AWS, before anything changes. */
  check?(ctx: Ctx): Promise<void>;
  /** Look the resource up in AWS (by the recorded id, else its name or tags). */
  find(ctx: Ctx, rec?: ResourceRecord): Promise<Found<O> | undefined>;
  create(ctx: Ctx): Promise<Found<O>>;
  /** What converging would change, as short sentences; empty when it matches the inputs. */
  changes?(ctx: Ctx, cur: Found<O>): Promise<string[]>;
  update?(ctx: Ctx, cur: Found<O>): Promise<Found<O>>;
  /** Delete and wait until it is really gone; a resource already gone is success. */
  destroy(ctx: Ctx, cur: Found<O>): Promise<void>;
  /**
   * A setting of the resource in `needs[0]` (its attributes), never made or adopted on its own:
   * what it reads as on that resource when new (AWS's defaults). The plan compares the inputs
   * with it when that resource is yet to be created, so plan and build both say `update` (or
   * unchanged), never `create`.
   */
  initial?(ctx: Ctx): O;
  /**
   * A reason to keep the resource on destroy (the state forgets it, AWS keeps it): the access
   * log bucket holds the user's logs. Undefined: delete it.
   */
  keep?(ctx: Ctx, cur: Found<O>): string | undefined;
  status?(ctx: Ctx, cur: Found<O>): Promise<StatusRow[]>;
  /**
   * Every resource of this kind tagged albctl:stack=<stack> (for `destroy --discover`, when the
   * state file is lost). Steps whose resources go with another's (listeners with their load
   * balancer, the scaling policy with its group) need none.
   */
  discover?(ctx: Ctx): Promise<Found<O>[]>;
}

/** Steps are heterogeneous: the engine handles them through this erased type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStep = Step<any>;
