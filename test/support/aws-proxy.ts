// A fault-injecting proxy in front of moto. moto never answers "not yet" (DependencyViolation,
// ResourceInUse, DeleteConflict, CertificateNotFound), never throttles and never hangs; this
// proxy does, on rules or at random (seeded), so the retry and resume paths are tested for real.
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FaultRule {
  /** Signing name from the Authorization header: ec2, elasticloadbalancing, iam, autoscaling, sts, ssm. */
  service?: string;
  action: string | RegExp;
  /** Let this many matching calls through first. */
  skip?: number;
  /** Apply this many times (default 1). */
  times?: number;
  /** Answer with this AWS error instead of forwarding. */
  error?: { status: number; code: string; message?: string };
  /** Never answer: 'before' forwarding, or 'after' moto has done the work (a crash between call and state write). */
  hang?: 'before' | 'after';
  /** Forward, but answer this much later. */
  delayMs?: number;
  /** Destroy the connection without an answer. */
  reset?: boolean;
}

export interface ProxyCall {
  service: string;
  action: string;
  fault?: string;
}

export interface RandomFaults {
  rate: number;
  seed: number;
  /** Which actions may fail at random (default: all). */
  only?: RegExp;
}

export interface AwsProxy {
  url: string;
  rules: FaultRule[];
  calls: ProxyCall[];
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

function actionOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  return new URLSearchParams(body).get('Action') ?? 'unknown';
}

/** The error body each protocol's SDK deserializer expects. */
function errorResponse(res: ServerResponse, service: string, status: number, code: string, message: string): void {
  const id = randomUUID();
  if (service === 'ssm') {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': code, 'x-amzn-requestid': id });
    res.end(JSON.stringify({ __type: code, message }));
    return;
  }
  const xml =
    service === 'ec2'
      ? `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${id}</RequestID></Response>`
      : `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`;
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': id });
  res.end(xml);
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

const randomKinds = ['throttle', '500', '503', 'reset', 'slow'] as const;

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

  const ruleFor = (service: string, action: string): FaultRule | undefined => {
    for (const rule of rules) {
      if (rule.service && rule.service !== service) continue;
      if (!matches(rule.action, action)) continue;
      const n = (seen.get(rule) ?? 0) + 1;
      seen.set(rule, n);
      const skip = rule.skip ?? 0;
      if (n <= skip || n > skip + (rule.times ?? 1)) continue;
      return rule;
    }
    return undefined;
  };

  const randomFault = (service: string, action: string): FaultRule | undefined => {
    const r = proxy.random;
    if (!r || r.rate <= 0) return undefined;
    if (!rand || randSeed !== r.seed) {
      rand = seededRandom(r.seed);
      randSeed = r.seed;
    }
    if (r.only && !r.only.test(action)) return undefined;
    if (rand() >= r.rate) return undefined;
    const kind = randomKinds[Math.floor(rand() * randomKinds.length)]!;
    const throttle = service === 'ec2' ? { status: 503, code: 'RequestLimitExceeded' } : { status: 400, code: 'Throttling' };
    switch (kind) {
      case 'throttle':
        return { action, error: { ...throttle, message: 'Rate exceeded (injected)' } };
      case '500':
        return { action, error: { status: 500, code: 'InternalError', message: 'injected' } };
      case '503':
        return { action, error: { status: 503, code: 'ServiceUnavailable', message: 'injected' } };
      case 'reset':
        return { action, reset: true };
      case 'slow':
        return { action, delayMs: 300 };
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
      const service = serviceOf(req);
      const action = actionOf(req, body.toString('utf8'));
      const rule = ruleFor(service, action) ?? randomFault(service, action);
      const call: ProxyCall = { service, action };
      if (rule) call.fault = rule.error?.code ?? (rule.hang ? `hang-${rule.hang}` : rule.reset ? 'reset' : rule.delayMs ? 'slow' : 'rule');
      calls.push(call);
      try {
        if (rule?.reset) {
          notify(call);
          req.socket.destroy();
          return;
        }
        if (rule?.error) {
          errorResponse(res, service, rule.error.status, rule.error.code, rule.error.message ?? `${rule.error.code} (injected)`);
          notify(call);
          return;
        }
        if (rule?.hang === 'before') {
          notify(call);
          return;
        }
        const answer = await forward(req, body);
        if (rule?.hang === 'after') {
          notify(call);
          return;
        }
        if (rule?.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        notify(call);
      } catch (err) {
        res.writeHead(502);
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
