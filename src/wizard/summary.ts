// What the user needs after `init`: where the stack answers, how to try it, what it costs, how to remove it.
import type { Ui } from '../ui/types.js';

export interface StackFacts {
  dnsName?: string;
  httpPort?: number;
  httpsPort?: number;
  certificateFile?: string;
  instances: number;
  instanceType?: string;
  azs: number;
  sandbox: boolean;
  /** The sandbox's data plane: where the listeners answer on this machine. */
  local?: { http?: string; https?: string };
  stateFile: string;
  stackFlag: string;
  /** What --wait saw: healthy targets of how many. */
  serving?: { healthy: number; total: number };
}

/** On-demand us-east-1 list prices (2025): enough for an order of magnitude, not a bill. */
const hourly = { alb: 0.0225, lcu: 0.008, publicIpv4: 0.005, t3micro: 0.0104 };

export function hourlyCost(f: Pick<StackFacts, 'instances' | 'azs' | 'instanceType'>): number {
  const perInstance = f.instanceType && f.instanceType !== 't3.micro' ? NaN : hourly.t3micro + hourly.publicIpv4;
  return hourly.alb + hourly.lcu + f.azs * hourly.publicIpv4 + f.instances * perInstance;
}

function url(scheme: 'http' | 'https', host: string, port: number | undefined): string {
  const standard = scheme === 'http' ? 80 : 443;
  return `${scheme}://${host}${port && port !== standard ? `:${port}` : ''}/`;
}

export function renderSummary(ui: Ui, f: StackFacts): void {
  const s = ui.style;
  const lines: [string, string][] = [];
  const here = (u: string | undefined) => (u ? `, served here by HAProxy at ${u}` : '');
  if (f.dnsName) {
    lines.push(['load balancer', `${url('http', f.dnsName, f.httpPort)}${here(f.local?.http)}`]);
    if (f.httpsPort) lines.push(['HTTPS', `${url('https', f.dnsName, f.httpsPort)} (self-signed)${here(f.local?.https)}`]);
  }
  const curl = f.httpsPort && f.dnsName && f.certificateFile
    ? `curl --cacert ${f.certificateFile} ${url('https', f.dnsName, f.httpsPort)}`
    : f.dnsName
      ? `curl ${url('http', f.dnsName, f.httpPort)}`
      : undefined;
  // In the sandbox the names do not resolve: the sandbox tries itself, or says what to try on AWS.
  if (!(f.sandbox && f.local)) {
    const tryLabel = f.sandbox ? 'on AWS, try' : 'try';
    if (curl) lines.push([tryLabel, curl]);
    lines.push([curl ? '' : tryLabel, `albctl${f.stackFlag} loadtest --duration 30s --report loadtest.html`]);
    lines.push(['', `albctl${f.stackFlag} status`]);
  }
  // What --wait saw; the sandbox's data plane has waited for them already.
  if (f.serving && f.serving.total > 0) lines.push(['serving', `${f.serving.healthy}/${f.serving.total} targets healthy`]);
  else if (!f.serving && !f.local && f.instances > 0) lines.push(['note', `\`albctl${f.stackFlag} status --wait\` waits until the instances pass their health checks`]);
  const cost = hourlyCost(f);
  lines.push([
    'cost',
    f.sandbox
      ? 'nothing: this is the sandbox (a local emulator)'
      : Number.isNaN(cost)
        ? 'an ALB (about $0.03/hour) plus your instances, while it runs'
        : `about $${cost.toFixed(3)}/hour while it runs (ALB, ${f.instances} t3.micro, public IPv4; us-east-1 list prices)`,
  ]);
  lines.push(['remove', f.sandbox ? 'the sandbox takes everything down when you are done' : `albctl${f.stackFlag} destroy`]);
  const width = Math.max(...lines.map(([k]) => k.length));
  for (const [k, v] of lines) ui.info(`  ${s.bold(k.padEnd(width))}  ${v}`);
}
