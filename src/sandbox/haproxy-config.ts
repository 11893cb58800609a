// The stack as an HAProxy configuration: a pure function of the stack's view (stack-view.ts) and
// of where things live on this machine. One frontend per listener on a loopback port, one backend
// per target group. Targets are added at run time through the runtime API (supervisor.ts); the
// servers given here are the ones already known when HAProxy is reloaded.
import type { ActionView, HealthCheckView, ListenerView, StackView, TargetGroupView } from './stack-view.js';

export interface RenderInput {
  stack: string;
  view: Omit<StackView, 'targets'>;
  /** Listener ARN → the loopback port its frontend binds. A listener without one is left out. */
  frontends: ReadonlyMap<string, number>;
  /** HTTPS listener ARN → the PEM file (certificate, chain, key) HAProxy presents. */
  certificates: ReadonlyMap<string, string>;
  /** Servers to write into the configuration (a reload keeps the targets added at run time). */
  servers: ReadonlyArray<{ targetGroupArn: string; name: string; address: string }>;
  /** The runtime API's UNIX socket. */
  socket: string;
  /** Where `show servers state` is saved before a reload, so health survives it. */
  serverStateFile: string;
  /** Secret for the AWSALB cookie values (a hash of it and the server's address). */
  cookieKey: string;
  bindHost?: string;
}

/** A string as an HAProxy configuration word: double-quoted, with `"`, `\`, `$`, `#` and line ends escaped. */
export function quote(s: string): string {
  const escaped = s.replace(/[\\"$#]/g, (c) => `\\${c}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `"${escaped}"`;
}

export function backendName(tg: Pick<TargetGroupView, 'name'>): string {
  return `tg-${tg.name.replace(/[^A-Za-z0-9_.:-]/g, '_')}`;
}

export function frontendName(l: Pick<ListenerView, 'protocol' | 'port'>): string {
  return `listener-${l.protocol.toLowerCase()}-${l.port}`;
}

/** `200` → `status 200`; `200,302` and `200-299` → a regex over every code they name. */
export function matcherRule(matcher: string): string {
  const codes: number[] = [];
  for (const part of matcher.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    for (let c = from; c <= (to ?? from); c++) codes.push(c);
  }
  const unique = [...new Set(codes)].filter((c) => Number.isInteger(c) && c >= 100 && c <= 599);
  if (unique.length === 0) return 'status 200';
  if (unique.length === 1) return `status ${unique[0]}`;
  return `rstatus ^(${unique.join('|')})$`;
}

const tlsVersion: Record<string, string> = { TLSv1: 'TLSv1.0', 'TLSv1.0': 'TLSv1.0', 'TLSv1.1': 'TLSv1.1', 'TLSv1.2': 'TLSv1.2', 'TLSv1.3': 'TLSv1.3' };
const tlsOrder = ['TLSv1.0', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/** The bind options of an HTTPS listener's security policy: versions, TLS 1.2 ciphers, TLS 1.3 suites. */
export function tlsBindOptions(protocols: readonly string[], ciphers: readonly string[]): string[] {
  const versions = protocols.map((p) => tlsVersion[p]).filter((v): v is string => !!v).sort((a, b) => tlsOrder.indexOf(a) - tlsOrder.indexOf(b));
  const out: string[] = [];
  if (versions.length > 0) out.push(`ssl-min-ver ${versions[0]}`, `ssl-max-ver ${versions[versions.length - 1]}`);
  const suites = ciphers.filter((c) => c.startsWith('TLS_'));
  const legacy = ciphers.filter((c) => !c.startsWith('TLS_'));
  if (legacy.length > 0) out.push(`ciphers ${legacy.join(':')}`);
  if (suites.length > 0) out.push(`ciphersuites ${suites.join(':')}`);
  return out;
}

/**
 * What every server of a target group carries, in the configuration and in `add server`
 * (servers added at run time do not take `default-server`): the health check's timing and
 * thresholds, the protocol to the target, slow start.
 */
export function serverOptions(tg: TargetGroupView): string {
  const h = tg.healthCheck;
  const parts = ['check', `inter ${h.interval}s`, `rise ${h.healthyThreshold}`, `fall ${h.unhealthyThreshold}`];
  // The ALB does not verify a target's certificate.
  if (tg.protocol === 'HTTPS') parts.push('ssl', 'verify none');
  if (h.protocol === 'HTTPS' && tg.protocol !== 'HTTPS') parts.push('check-ssl', 'verify none');
  if (tg.protocolVersion === 'HTTP2' || tg.protocolVersion === 'GRPC') parts.push('proto h2');
  if (tg.slowStartSeconds > 0) parts.push(`slowstart ${tg.slowStartSeconds}s`);
  return parts.join(' ');
}

const balance: Record<string, string> = { round_robin: 'roundrobin', least_outstanding_requests: 'leastconn', weighted_random: 'random' };

function healthCheckLines(h: HealthCheckView): string[] {
  return ['option httpchk', `http-check send meth GET uri ${quote(h.path)}`, `http-check expect ${matcherRule(h.matcher)}`, `timeout check ${h.timeout}s`];
}

function backend(tg: TargetGroupView, input: RenderInput): string[] {
  const lines = [`backend ${backendName(tg)}`, `  # target group ${tg.name}: ${tg.protocol}:${tg.port} ${tg.protocolVersion}`];
  lines.push(`  balance ${balance[tg.algorithm] ?? 'roundrobin'}`);
  lines.push(...healthCheckLines(tg.healthCheck).map((l) => `  ${l}`));
  if (tg.stickiness.enabled) {
    const d = tg.stickiness.durationSeconds;
    // ALB's duration-based stickiness: an AWSALB cookie on every response, valid for the duration.
    lines.push(`  cookie AWSALB insert dynamic maxlife ${d}s attr ${quote(`Max-Age=${d}`)}`, `  dynamic-cookie-key ${quote(input.cookieKey)}`);
  }
  for (const s of input.servers.filter((x) => x.targetGroupArn === tg.arn)) lines.push(`  server ${s.name} ${s.address} ${serverOptions(tg)}`);
  return lines;
}

/** The Location of a redirect action, in HAProxy's log-format: #{host}, #{port}, #{path}, #{query}. */
export function redirectLocation(a: Extract<ActionView, { type: 'redirect' }>, listener: Pick<ListenerView, 'protocol' | 'port'>, withQuery: boolean): string {
  const fill = (s: string) =>
    s
      .replace(/#\{protocol\}/g, listener.protocol.toLowerCase())
      .replace(/#\{host\}/g, '%[req.hdr(host),field(1,:)]')
      .replace(/#\{port\}/g, String(listener.port))
      .replace(/#\{path\}/g, '%[path,regsub(^/,)]')
      .replace(/#\{query\}/g, '%[query]');
  const scheme = fill(a.protocol).toLowerCase();
  // As the ALB writes it: the port is always in the Location, the query only when there is one.
  return `${scheme}://${fill(a.host)}:${fill(a.port)}${fill(a.path)}${withQuery ? `?${fill(a.query)}` : ''}`;
}

function actionLines(l: ListenerView, view: RenderInput['view']): string[] {
  const a = l.action;
  if (a.type === 'forward') {
    const tg = view.targetGroups.find((t) => t.arn === a.targetGroupArn);
    return tg ? [`default_backend ${backendName(tg)}`] : [unsupported(`forward to a target group that is gone`)];
  }
  if (a.type === 'redirect') {
    return [
      `http-request redirect location ${quote(redirectLocation(a, l, true))} code ${a.statusCode} if { query -m len gt 0 }`,
      `http-request redirect location ${quote(redirectLocation(a, l, false))} code ${a.statusCode}`,
    ];
  }
  if (a.type === 'fixed-response') {
    return [`http-request return status ${a.statusCode} content-type ${quote(a.contentType)} string ${quote(a.body)}`];
  }
  return [unsupported(a.what)];
}

function unsupported(what: string): string {
  return `http-request return status 503 content-type "text/plain" string ${quote(`albctl sandbox: ${what} is not mirrored by the data plane\n`)}`;
}

function frontend(l: ListenerView, port: number, input: RenderInput): string[] {
  const host = input.bindHost ?? '127.0.0.1';
  const pem = input.certificates.get(l.arn);
  const bind = l.tls && pem
    ? [`bind ${host}:${port} ssl crt ${quote(pem)}`, ...tlsBindOptions(l.tls.protocols, l.tls.ciphers), 'alpn h2,http/1.1'].join(' ')
    : `bind ${host}:${port}`;
  const scheme = l.tls ? 'https' : 'http';
  const lines = [
    `frontend ${frontendName(l)}`,
    `  # listener ${l.protocol}:${l.port}${l.tls ? `, ${l.tls.policy}` : ''}`,
    `  ${bind}`,
    '  option forwardfor',
    `  http-request set-header X-Forwarded-Proto ${scheme}`,
    `  http-request set-header X-Forwarded-Port ${l.port}`,
    ...actionLines(l, input.view).map((x) => `  ${x}`),
  ];
  return lines;
}

export function renderHaproxyConfig(input: RenderInput): string {
  const { view } = input;
  const idle = view.loadBalancer.idleTimeoutSeconds;
  const out: string[] = [
    `# albctl sandbox data plane for stack ${input.stack}: load balancer ${view.loadBalancer.name} (${view.loadBalancer.dnsName}).`,
    '# Rendered from what the emulator holds; albctl rewrites it when the stack changes.',
    'global',
    `  stats socket ${quote(input.socket)} mode 600 level admin expose-fd listeners`,
    `  server-state-file ${quote(input.serverStateFile)}`,
    '  hard-stop-after 30s',
    '',
    'defaults',
    '  mode http',
    '  load-server-state-from-file global',
    '  timeout connect 10s',
    `  timeout client ${idle}s`,
    `  timeout server ${idle}s`,
    `  timeout http-request ${idle}s`,
    `  timeout http-keep-alive ${idle}s`,
    '',
  ];
  for (const l of view.listeners) {
    const port = input.frontends.get(l.arn);
    if (port !== undefined) out.push(...frontend(l, port, input), '');
  }
  for (const tg of view.targetGroups) out.push(...backend(tg, input), '');
  return out.join('\n');
}
