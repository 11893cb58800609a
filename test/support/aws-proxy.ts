// A fault-injecting proxy in front of moto. moto never answers "not yet" (DependencyViolation,
// ResourceInUse, DeleteConflict, CertificateNotFound), never throttles, never loses an answer and
// never hangs; this proxy does, on rules or at random (seeded), so the retry and resume paths are
// tested for real.
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FaultRule {
  /** Signing name from the Authorization header: ec2, elasticloadbalancing, iam, autoscaling, sts, ssm, s3. */
  service?: string;
  action: string | RegExp;
  /** Only calls whose (form-encoded or JSON) body passes this. */
  match?: (body: string) => boolean;
  /** Let this many matching calls through first. */
  skip?: number;
  /** Apply this many times (default 1). */
  times?: number;
  /** Answer with this AWS error instead of forwarding (or after forwarding, with `forwardFirst`). */
  error?: { status: number; code: string; message?: string };
  /** Let moto do the work, then answer `error` anyway (a retried create AWS calls a duplicate). */
  forwardFirst?: boolean;
  /** Never answer: 'before' forwarding, or 'after' moto has done the work (a crash between call and state write). */
  hang?: 'before' | 'after';
  /** Forward, but answer this much later. */
  delayMs?: number;
  /** Hold the call this long before forwarding it (moto does the work late). */
  delayBeforeMs?: number;
  /** Destroy the connection without an answer: 'before' forwarding, or 'after' moto has done the work. */
  reset?: boolean | 'before' | 'after';
  /** Called when the rule is applied (for hang/reset 'after': once moto has answered). */
  onHit?: (call: ProxyCall) => void;
  /**
   * Answer this instead of forwarding: for calls moto does not implement (it answers HTTP 500 to
   * the instance refresh calls), as AWS documents them. A contract, not proof AWS behaves so.
   */
  reply?: (body: string) => { status?: number; body: string };
  /** Forward, then change moto's answer (a target reported unhealthy, which moto never does). */
  rewrite?: (answer: string, body: string) => string;
}

export interface ProxyCall {
  service: string;
  action: string;
  fault?: string;
  /** Whether the call reached moto (it did its work), even when the answer was then lost. */
  forwarded?: boolean;
}

/** What a random fault may be. */
export type RandomKind =
  | 'throttle' // Throttling (400) / RequestLimitExceeded (EC2, 503): not done, retry later
  | '500' // InternalError, not forwarded
  | '503' // ServiceUnavailable, not forwarded
  | 'reset' // the connection dies before the call reaches moto
  | 'reset-after' // moto did the work, the answer is lost (a Create retried blindly duplicates)
  | 'slow' // forwarded, answered late
  | 'not-yet' // the "not yet" codes moto never sends, on the calls AWS sends them for
  | 'not-found-after-create'; // eventual consistency: the first read after a Create does not see it

export const allRandomKinds: readonly RandomKind[] = ['throttle', '500', '503', 'reset', 'reset-after', 'slow', 'not-yet', 'not-found-after-create'];

export interface RandomFaults {
  /** Probability that a call fails (each call draws once). */
  rate: number;
  seed: number;
  /** Which actions may fail at random (default: all). */
  only?: RegExp;
  /** Which kinds (default: throttle, 500, 503, reset, slow, as before). */
  kinds?: readonly RandomKind[];
  /** How late a slow answer comes (default 300 ms). */
  slowMs?: number;
}

/** A read: Describe*, List*, Get*, Head* (src/aws/clients.ts's rule). */
export const readAction = /^(Describe|List|Get|Head|Lookup|Search|Check)/;
/** Every call that changes something. */
export const mutatingAction = /^(?!Describe|List|Get|Head|Lookup|Search|Check)/;
/** Every call that makes something new (not tags). */
export const createAction = /^(Create(?!Tags$|OrUpdateTags$)|Run|Upload)/;

/** The "not yet" answers AWS gives and moto never does, by action (AWS-NOTES). */
const notYetErrors: Record<string, { status: number; code: string; message: string; when?: (body: string) => boolean }> = {
  DeleteSecurityGroup: { status: 400, code: 'DependencyViolation', message: 'resource sg has a dependent object (injected)' },
  DeleteTargetGroup: { status: 400, code: 'ResourceInUse', message: 'Target group is currently in use by a listener or a rule (injected)' },
  DeleteServerCertificate: { status: 409, code: 'DeleteConflict', message: 'Certificate is currently in use by a load balancer (injected)' },
  // Only an HTTPS listener names a certificate.
  CreateListener: { status: 400, code: 'CertificateNotFound', message: 'Certificate not found (injected)', when: (b) => /Certificates\.member/.test(b) },
  ModifyListener: { status: 400, code: 'CertificateNotFound', message: 'Certificate not found (injected)', when: (b) => /Certificates\.member/.test(b) },
  DeleteAutoScalingGroup: { status: 400, code: 'ScalingActivityInProgress', message: 'scaling activity in progress (injected)' },
  DeleteWebACL: { status: 400, code: 'WAFAssociatedItemException', message: 'the web ACL is still associated (injected)' },
  AssociateWebACL: { status: 400, code: 'WAFUnavailableEntityException', message: 'retry your request (injected)' },
  DeleteRole: { status: 409, code: 'DeleteConflict', message: 'must remove roles from instance profile first (injected)' },
  DeleteInstanceProfile: { status: 409, code: 'DeleteConflict', message: 'in use (injected)' },
};

/** What a read of a resource that does not exist (yet) answers, by action; reads by filter answer an empty list instead. */
const notFoundErrors: Record<string, { status: number; code: string; when?: (body: string) => boolean }> = {
  DescribeTargetGroups: { status: 400, code: 'TargetGroupNotFound' },
  DescribeTargetGroupAttributes: { status: 400, code: 'TargetGroupNotFound' },
  DescribeLoadBalancers: { status: 400, code: 'LoadBalancerNotFound' },
  DescribeListeners: { status: 400, code: 'ListenerNotFound', when: (b) => /ListenerArns/.test(b) },
  DescribeSecurityGroups: { status: 400, code: 'InvalidGroup.NotFound', when: (b) => /GroupId\./.test(b) },
  DescribeLaunchTemplates: { status: 400, code: 'InvalidLaunchTemplateId.NotFound', when: (b) => /LaunchTemplateId\./.test(b) },
  DescribeLaunchTemplateVersions: { status: 400, code: 'InvalidLaunchTemplateId.NotFound' },
  DescribeInstances: { status: 400, code: 'InvalidInstanceID.NotFound', when: (b) => /InstanceId\./.test(b) },
  GetServerCertificate: { status: 404, code: 'NoSuchEntity' },
  GetRole: { status: 404, code: 'NoSuchEntity' },
  GetInstanceProfile: { status: 404, code: 'NoSuchEntity' },
};

export interface AwsProxy {
  url: string;
  rules: FaultRule[];
  calls: ProxyCall[];
  /** Random faults from now on (set or change at any time; a new seed restarts the sequence). */
  random?: RandomFaults;
  /** Resolves when a call matching `action` arrives (after it was forwarded, for hang: 'after'). */
  waitFor(action: string | RegExp): Promise<ProxyCall>;
  stop(): Promise<void>;
}

function matches(pattern: string | RegExp, action: string): boolean {
  return typeof pattern === 'string' ? pattern === action : pattern.test(action);
}

function serviceOf(req: IncomingMessage): string {
  const auth = String(req.headers.authorization ?? '');
  return /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(auth)?.[1] ?? 'unknown';
}

/** S3 is REST: the operation is the method on the service, a bucket or a key (path style), and its sub-resource. */
function s3ActionOf(req: IncomingMessage): string {
  const u = new URL(req.url ?? '/', 'http://x');
  const parts = u.pathname.split('/').filter(Boolean);
  const q = u.searchParams;
  const verb = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', HEAD: 'Head', POST: 'Post' }[req.method ?? 'GET'] ?? 'Unknown';
  if (parts.length === 0) return 'ListBuckets';
  if (parts.length > 1) return `${verb}Object`;
  if (verb === 'Post' && q.has('delete')) return 'DeleteObjects';
  const sub = ['tagging', 'policy', 'encryption', 'publicAccessBlock', 'location', 'versioning'].find((k) => q.has(k));
  if (sub === 'publicAccessBlock') return `${verb}PublicAccessBlock`;
  if (sub) return `${verb}Bucket${sub[0]!.toUpperCase()}${sub.slice(1)}`;
  if (verb === 'Get') return q.has('versions') ? 'ListObjectVersions' : 'ListObjectsV2';
  return verb === 'Put' ? 'CreateBucket' : `${verb}Bucket`;
}

function actionOf(req: IncomingMessage, body: string): string {
  if (serviceOf(req) === 's3') return s3ActionOf(req);
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return new URLSearchParams(body).get('Action') ?? 'unknown';
}

/** The error body each protocol's SDK deserializer expects. */
function errorResponse(res: ServerResponse, service: string, status: number, code: string, message: string): void {
  const id = randomUUID();
  if (service === 's3') {
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': id });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${id}</RequestId></Error>`);
    return;
  }
  if (service === 'ssm' || service === 'wafv2') {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': id });
    res.end(JSON.stringify({ __type: code, message }));
    return;
  }
  if (service === 's3') {
    res.writeHead(status, { 'content-type': 'application/xml', 'x-amz-request-id': id });
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>${id}</RequestId></Error>`);
    return;
  }
  const xml =
    service === 'ec2'
      ? `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`
      : `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': id });
  res.end(xml);
}

function faultName(rule: FaultRule): string {
  if (rule.error) return rule.error.code;
  if (rule.reply) return 'replied';
  if (rule.rewrite) return 'rewritten';
  if (rule.hang) return `hang-${rule.hang}`;
  if (rule.reset) return rule.reset === 'after' ? 'reset-after' : 'reset';
  if (rule.delayMs || rule.delayBeforeMs) return 'slow';
  return rule.onHit ? 'armed' : 'rule';
}

/** mulberry32: small, seeded, good enough to make fault schedules repeatable. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const defaultKinds: readonly RandomKind[] = ['throttle', '500', '503', 'reset', 'slow'];

export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  const rules: FaultRule[] = [];
  const calls: ProxyCall[] = [];
  const waiters: { pattern: string | RegExp; resolve: (c: ProxyCall) => void }[] = [];
  const seen = new Map<FaultRule, number>();
  const sockets = new Set<Socket>();
  let rand: (() => number) | undefined;
  let randSeed: number | undefined;

  const proxy: AwsProxy = {
    url: '',
    rules,
    calls,
    waitFor: (pattern) => {
      const hit = calls.find((c) => matches(pattern, c.action));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  const notify = (call: ProxyCall) => {
    for (const w of [...waiters]) {
      if (matches(w.pattern, call.action)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(call);
      }
    }
  };

  const ruleFor = (service: string, action: string, body: string): FaultRule | undefined => {
    for (const rule of rules) {
      if (rule.service && rule.service !== service) continue;
      if (!matches(rule.action, action)) continue;
      if (rule.match && !rule.match(body)) continue;
      const n = (seen.get(rule) ?? 0) + 1;
      seen.set(rule, n);
      const skip = rule.skip ?? 0;
      if (n <= skip || n > skip + (rule.times ?? 1)) continue;
      return rule;
    }
    return undefined;
  };

  /** Services whose next read by id answers NotFound (armed by a Create, for 'not-found-after-create'). */
  const unseen = new Set<string>();

  const randomFault = (service: string, action: string, body: string): FaultRule | undefined => {
    const r = proxy.random;
    if (!r || r.rate <= 0) return undefined;
    if (!rand || randSeed !== r.seed) {
      rand = seededRandom(r.seed);
      randSeed = r.seed;
    }
    if (r.only && !r.only.test(action)) return undefined;
    const kinds = r.kinds ?? defaultKinds;
    const notFound = notFoundErrors[action];
    if (kinds.includes('not-found-after-create') && unseen.has(service) && notFound && (!notFound.when || notFound.when(body))) {
      unseen.delete(service);
      return { action, error: { status: notFound.status, code: notFound.code, message: 'not found (injected: eventual consistency after a create)' } };
    }
    if (rand() >= r.rate) return undefined;
    const notYet = notYetErrors[action];
    const usable = kinds.filter((k) => {
      if (k === 'not-yet') return !!notYet && (!notYet.when || notYet.when(body));
      if (k === 'not-found-after-create') return createAction.test(action);
      return true;
    });
    if (usable.length === 0) return undefined;
    const kind = usable[Math.floor(rand() * usable.length)]!;
    const throttle = service === 'ec2' ? { status: 503, code: 'RequestLimitExceeded' } : { status: 400, code: 'Throttling' };
    switch (kind) {
      case 'throttle':
        return { action, error: { ...throttle, message: 'Rate exceeded (injected)' } };
      case '500':
        return { action, error: { status: 500, code: 'InternalError', message: 'injected' } };
      case '503':
        return { action, error: { status: 503, code: 'ServiceUnavailable', message: 'injected' } };
      case 'reset':
        return { action, reset: 'before' };
      case 'reset-after':
        return { action, reset: 'after' };
      case 'slow':
        return { action, delayMs: r.slowMs ?? 300 };
      case 'not-yet':
        return { action, error: { status: notYet!.status, code: notYet!.code, message: notYet!.message } };
      case 'not-found-after-create':
        // The create goes through; the service's next read by id will not see it yet.
        return { action, onHit: () => unseen.add(service) };
    }
  };

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = request(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      out.on('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const service = serviceOf(req);
      const action = actionOf(req, text);
      const rule = ruleFor(service, action, text) ?? randomFault(service, action, text);
      const call: ProxyCall = { service, action };
      if (rule) call.fault = faultName(rule);
      calls.push(call);
      const hit = () => {
        rule?.onHit?.(call);
        notify(call);
      };
      try {
        if (rule?.reset === true || rule?.reset === 'before') {
          hit();
          req.socket.destroy();
          return;
        }
        if (rule?.error && !rule.forwardFirst) {
          errorResponse(res, service, rule.error.status, rule.error.code, rule.error.message ?? `${rule.error.code} (injected)`);
          hit();
          return;
        }
        if (rule?.hang === 'before') {
          hit();
          return;
        }
        if (rule?.reply) {
          const r = rule.reply(text);
          res.writeHead(r.status ?? 200, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
          res.end(r.body);
          hit();
          return;
        }
        if (rule?.delayBeforeMs) await new Promise((r) => setTimeout(r, rule.delayBeforeMs));
        const answer = await forward(req, body);
        call.forwarded = true;
        if (rule?.hang === 'after') {
          hit();
          return;
        }
        if (rule?.reset === 'after') {
          hit();
          req.socket.destroy();
          return;
        }
        if (rule?.error) {
          errorResponse(res, service, rule.error.status, rule.error.code, rule.error.message ?? `${rule.error.code} (injected)`);
          hit();
          return;
        }
        if (rule?.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
        if (rule?.rewrite) {
          const changed = Buffer.from(rule.rewrite(answer.body.toString('utf8'), text));
          const headers = { ...answer.headers, 'content-length': String(changed.length) };
          delete headers['transfer-encoding'];
          res.writeHead(answer.status, headers);
          res.end(changed);
          hit();
          return;
        }
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        hit();
      } catch (err) {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(err));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}

/**
 * A rule that reports targets unhealthy (Target.FailedHealthChecks) in DescribeTargetHealth, as
 * the load balancer would for instances that fail their checks: moto calls every registered
 * target healthy. `which` picks the instance ids.
 */
export function reportUnhealthy(which: (id: string) => boolean, times = 100_000): FaultRule {
  return {
    action: 'DescribeTargetHealth',
    times,
    rewrite: (xml) =>
      xml.replace(/<member>\s*<Target>\s*<Id>(i-\w+)<\/Id>[\s\S]*?<\/member>/g, (m, id: string) =>
        which(id) ? m.replace(/<State>healthy<\/State>/, '<State>unhealthy</State><Reason>Target.FailedHealthChecks</Reason><Description>Health checks failed</Description>') : m,
      ),
  };
}
