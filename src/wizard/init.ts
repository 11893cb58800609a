// `albctl init`: discover, ask, show the plan, build (independent steps in parallel), and say
// what to do next. Resumes from the state file; a re-run with the same answers changes nothing.
import { applySteps, type PlanItem } from '../engine/apply.js';
import type { Ctx } from '../engine/context.js';
import { destroySome } from '../engine/destroy.js';
import { InterruptedError, UsageError } from '../errors.js';
import { namesFor } from '../inputs/names.js';
import { persistable } from '../inputs/resolve.js';
import { initQuestions, validateAll, wizardQuestions, type Inputs } from '../inputs/all.js';
import type { Session } from '../commands/session.js';
import { registry, stepsById } from '../steps/graph.js';
import { expiryWarning, rotateCertificate, rotationDue, rotationPlanItem } from '../steps/certificate-rotation.js';
import { waitServing } from '../steps/target-health.js';
import { checkForceAfterUpload } from '../inputs/cert.js';
import { converse } from './conversation.js';
import { renderPlan } from '../ui/plan.js';
import { isNoop, stepsFor, unwantedSteps } from './plan.js';
import { renderSummary, type StackFacts } from './summary.js';

export interface WizardOptions {
  /** Flags the user typed, already parsed. */
  flagValues: Partial<Inputs>;
  sandbox: boolean;
}

export interface WizardResult {
  doc: Record<string, unknown>;
  /** The context the build ran with (the sandbox uses it to tear down). */
  ctx?: Ctx;
  /** What the summary shows; the sandbox prints it itself once its data plane is up. */
  facts?: StackFacts;
}

export async function runWizard(s: Session, opts: WizardOptions): Promise<WizardResult> {
  const { ui, globals } = s;
  const who = await s.identify();
  ui.info(
    `${ui.style.bold(opts.sandbox ? 'SANDBOX' : 'AWS')} account ${who.account}, region ${who.region}` +
      (opts.sandbox ? ` (a local emulator at ${s.aws.endpoint}: nothing is billed, nothing leaves this machine)` : ''),
  );
  const resuming = await offerResume(s);
  const resolved = s.resolve(opts.flagValues);
  const asking = { stack: globals.stack, names: namesFor(globals.stack), command: s.command, aws: s.aws, signal: s.signal };
  const inputs = resuming || !ui.interactive ? resolved.values : await converse(wizardQuestions, resolved, ui, asking);
  validateAll(inputs);
  checkForceAfterUpload(inputs, s.state, '--cert-force');
  const steps = stepsById(stepsFor(inputs, registry));

  const { plan, outputs } = await planOnly(s, inputs, steps);
  const rotation = certificateRotation(s, inputs);
  if (rotation) plan.unshift(rotation.item);
  const image = outputs.get('image') as { imageId?: string; name?: string; source?: string } | undefined;
  const origin: Record<string, string> = { ssm: 'latest Amazon Linux 2023', 'describe-images': 'latest Amazon Linux 2023', input: 'chosen' };
  if (image?.imageId) ui.info(`image ${image.imageId} ${image.name ?? ''} (${origin[image.source ?? 'input'] ?? image.source})`);
  renderPlan(ui, plan);
  const docBase = { stack: globals.stack, account: who.account, region: who.region, sandbox: opts.sandbox, plan };
  if (globals.dryRun) {
    ui.info('--dry-run: nothing was changed');
    return { doc: { ...docBase, dryRun: true, actions: [] } };
  }
  if (isNoop(plan)) {
    // An init killed after its last resource, before it recorded its outcome: done now.
    if (resuming) await s.state.finishInit('done');
    ui.success('nothing to do: the stack already matches these answers');
    const ctx = s.context(inputs);
    const serving = inputs.wait && !opts.sandbox ? await waitServing(ctx, inputs.waitTimeout) : undefined;
    return { doc: { ...docBase, dryRun: false, actions: plan, ...(serving ? { serving } : {}) }, ctx, facts: { ...facts(s, ctx, opts.sandbox), serving } };
  }
  await confirmBuild(s, opts.sandbox);

  let ctx = s.context(inputs);
  s.state.rememberInputs(persistable(initQuestions, inputs));
  s.state.rememberInitStart();
  const started = Date.now();
  let actions: PlanItem[];
  try {
    // The rotation first: the steps then find the new certificate everywhere.
    if (rotation) ctx = await rotateCertificate(ctx, rotation.why);
    actions = [...(rotation ? [rotation.item] : []), ...(await applyAndPrune(ctx, inputs, steps))];
  } catch (err) {
    await s.state.finishInit(err instanceof InterruptedError ? 'interrupted' : 'failed');
    throw err;
  }
  await s.state.finishInit('done');
  const changed = actions.filter((a) => a.action !== 'none').length;
  ui.success(`stack ${globals.stack} is ready: ${changed} change(s) in ${Math.round((Date.now() - started) / 1000)}s`);
  // --wait, on by default on a terminal: a summary that says "serving" means it. The sandbox
  // waits for its data plane's health checks itself.
  const serving = !opts.sandbox && (inputs.wait ?? ui.mode === 'tty') ? await waitServing(ctx, inputs.waitTimeout) : undefined;
  const summary = { ...facts(s, ctx, opts.sandbox), serving };
  if (!opts.sandbox) renderSummary(ui, summary);
  return { doc: { ...docBase, dryRun: false, actions, outputs: Object.fromEntries(ctx.outputs), ...(serving ? { serving } : {}) }, ctx, facts: summary };
}

/** A certificate rotation this init runs first (said as a warning), else a warning about an expiry it leaves. */
function certificateRotation(s: Session, inputs: Inputs): { why: string; item: PlanItem } | undefined {
  const ctx = { ...s.context(inputs), dryRun: true };
  const why = rotationDue(ctx);
  if (!why) {
    const warning = expiryWarning(ctx);
    if (warning) s.ui.warn(warning);
    return undefined;
  }
  const name = s.state.resource('serverCertificate')?.name ?? 'files';
  const said = why.startsWith('it ') ? `${name} ${why.slice(3)}` : `${name}: ${why}`;
  s.ui.warn(`certificate ${said}; init rotates it (a new key and certificate under a new IAM name, the HTTPS listener switched to it, the old one deleted)`);
  return { why, item: rotationPlanItem(ctx, why) };
}

/** The steps, then what the answers turned off (`--no-waf` after `--waf`), taken down. */
async function applyAndPrune(ctx: Ctx, inputs: Inputs, steps: ReturnType<typeof stepsById>): Promise<PlanItem[]> {
  const built = await applySteps(ctx, steps, registry);
  return [...built, ...(await destroySome(ctx, unwantedSteps(inputs), registry))];
}

/** The plan: the same steps, reading only (the AWS layer refuses any write while it plans). */
async function planOnly(
  s: Session,
  inputs: Inputs,
  steps: ReturnType<typeof stepsById>,
): Promise<{ plan: PlanItem[]; outputs: Ctx['outputs'] }> {
  const ctx = { ...s.context(inputs), dryRun: true };
  const readOnly = s.aws.readOnly;
  s.aws.readOnly = true;
  try {
    return { plan: await applyAndPrune(ctx, inputs, steps), outputs: ctx.outputs };
  } finally {
    s.aws.readOnly = readOnly;
  }
}

async function offerResume(s: Session): Promise<boolean> {
  const last = s.state.snapshot.lastInit;
  const count = s.state.resourceIds().length;
  if (!last || last.outcome === 'done' || count === 0) return false;
  const how = last.outcome === 'failed' ? 'failed' : 'was interrupted';
  s.ui.warn(`the last init of stack ${s.globals.stack} (${last.startedAt}) ${how} with ${count} resource(s) built`);
  if (!s.ui.interactive) return true;
  return s.ui.prompt.confirm({ message: 'Resume it with the same answers?', flag: '--yes', default: true });
}

async function confirmBuild(s: Session, sandbox: boolean): Promise<void> {
  if (s.globals.yes || sandbox) return;
  if (!s.ui.interactive) throw new UsageError('init builds billable resources: pass --yes to build without confirming (or --dry-run to see the plan)');
  const ok = await s.ui.prompt.confirm({ message: 'Build it?', flag: '--yes', default: true });
  if (!ok) throw new UsageError('not confirmed: nothing was changed');
}

function facts(s: Session, ctx: Ctx, sandbox: boolean): StackFacts {
  const out = (id: string) => ctx.outputs.get(id) as Record<string, unknown> | undefined;
  const lb = out('loadBalancer');
  const net = out('network') as { subnets?: unknown[] } | undefined;
  const stackFlag = s.globals.stack === 'albctl' ? '' : ` --stack ${s.globals.stack}`;
  return {
    dnsName: lb?.dnsName as string | undefined,
    httpPort: out('httpListener')?.port as number | undefined,
    httpsPort: out('httpsListener')?.port as number | undefined,
    certificateFile: (out('certificateFiles')?.certificate ?? out('certificateFiles')?.certificatePath) as string | undefined,
    instances: ((out('instances')?.instanceIds as unknown[] | undefined) ?? []).length,
    instanceType: ctx.inputs.instanceType,
    azs: net?.subnets?.length ?? 2,
    sandbox,
    stateFile: s.state.file,
    stackFlag,
  };
}
