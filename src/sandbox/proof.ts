// The sandbox proves itself: a short load test through the data plane on each listener, addressed
// by the load balancer's DNS name (`--connect-to` maps it to the local ports, so Host, SNI and the
// certificate check are what a client of the ALB sees). HTTPS with cookies: TLS verified with
// certificate.crt, each virtual user pinned to one target. HTTP without cookies: requests spread,
// or the redirect answered.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseLoadtestOptions, prepareLoadtest, renderHtml, runPrepared, type LoadtestJson, type LoadtestResult, type ProgressSnapshot } from '../loadtest/index.js';
import { connectToRules, type DataPlaneDoc, type DataPlaneListener } from './dataplane-file.js';

export interface ProofRun {
  listener: string;
  url: string;
  cookies: boolean;
  result: LoadtestResult;
  json: LoadtestJson;
  /** What it showed, in a line or two; `ok` false when it showed something wrong. */
  verdict: string[];
  ok: boolean;
}

export interface ProofOptions {
  /** Seconds per listener. */
  seconds: number;
  connections: number;
  report: string | null;
  signal: AbortSignal;
  onProgress?: (listener: string, p: ProgressSnapshot) => void;
  /** The HTTP listener redirects (to HTTPS, 301): that is what it must answer. */
  redirects: boolean;
  /** The target group's stickiness is on: users with cookies must each stay on one target. */
  sticky: boolean;
}

export async function proveDataPlane(doc: DataPlaneDoc, o: ProofOptions): Promise<ProofRun[]> {
  const runs: ProofRun[] = [];
  const served = doc.listeners.filter((l) => l.address !== null);
  const https = served.find((l) => l.protocol === 'HTTPS');
  const http = served.find((l) => l.protocol === 'HTTP');
  const healthy = doc.targets.filter((t) => t.state === 'healthy').length;
  if (https) runs.push(await run(doc, https, true, o, healthy));
  if (http && !o.signal.aborted) runs.push(await run(doc, http, false, o, healthy));
  const main = runs[0];
  if (main && o.report !== null) await writeFile(o.report, renderHtml(main.result));
  return runs;
}

async function run(doc: DataPlaneDoc, l: DataPlaneListener, cookies: boolean, o: ProofOptions, healthy: number): Promise<ProofRun> {
  const implicit = (l.protocol === 'HTTPS' && l.port === 443) || (l.protocol === 'HTTP' && l.port === 80);
  const url = `${l.protocol.toLowerCase()}://${doc.loadBalancer.dnsName}${implicit ? '' : `:${l.port}`}/`;
  const raw: Record<string, unknown> = {
    connections: String(o.connections),
    duration: String(o.seconds),
    timeout: '5s',
    connectTo: connectToRules(doc),
    ...(l.protocol === 'HTTPS' && doc.ca ? { ca: doc.ca } : {}),
    ...(cookies ? {} : { cookies: false }),
  };
  const listener = `${l.protocol}:${l.port}`;
  // The load generator's in-process entry: the same run and document as `albctl loadtest --json`.
  const prepared = await prepareLoadtest(parseLoadtestOptions(raw, url));
  const { result, doc: json } = await runPrepared(prepared, { signal: o.signal, onProgress: (p) => o.onProgress?.(listener, p) });
  const redirect = l.protocol === 'HTTP' && o.redirects;
  const { verdict, ok } = judge(result, { https: l.protocol === 'HTTPS', ca: doc.ca, redirect, healthy, sticky: o.sticky });
  return { listener, url, cookies, result, json, verdict, ok };
}

/** What a run showed, as the sandbox prints it. Pure. */
export function judge(
  r: LoadtestResult,
  x: { https: boolean; ca: string | null; redirect: boolean; healthy: number; sticky: boolean },
): { verdict: string[]; ok: boolean } {
  const errors = Object.values(r.errors).reduce((a, n) => a + n, 0);
  const codes = Object.entries(r.statusCodes).map(([c, n]) => `${n.toLocaleString('en-US')} × ${c}`).join(', ') || 'no answer';
  const expected = x.redirect ? '301' : '200';
  // The requests still in flight when the run ended are neither answered nor failed.
  const ended = r.requests.total - r.requests.unfinished;
  const allExpected = ended > 0 && (r.statusCodes[expected] ?? 0) === ended && errors === 0;
  const head = `${ended.toLocaleString('en-US')} requests in ${r.duration.toFixed(1)}s ${r.cookies ? 'with' : 'without'} cookies: ${codes}${errors ? `, ${errors} failed` : ''}`;
  const verdict = [head];
  let ok = allExpected;
  if (x.https) {
    const tlsOk = r.errors.tls === 0 && ended > 0;
    verdict.push(tlsOk ? `TLS verified with ${x.ca ? `${path.basename(x.ca)}, the stack's self-signed certificate` : 'the system CAs'}` : `TLS failed: ${r.errorSamples.tls ?? 'no TLS handshake completed'}`);
    ok &&= tlsOk;
  }
  if (x.redirect) {
    verdict.push('the HTTP listener redirects to HTTPS (301), as configured');
    return { verdict, ok };
  }
  const targets = Object.entries(r.targets).sort(([a], [b]) => a.localeCompare(b));
  verdict.push(`per target: ${targets.map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`).join(' · ') || 'none'}`);
  ok &&= targets.length === x.healthy;
  const { users, pinned } = r.stickiness;
  if (r.cookies && x.sticky) {
    verdict.push(`stickiness: ${pinned} of ${users} virtual users stayed on one target (AWSALB cookie)`);
    ok &&= users > 0 && pinned === users;
  } else {
    const why = r.cookies ? 'stickiness is off: ' : '';
    verdict.push(`${why}${users - pinned} of ${users} virtual users were spread over several targets`);
    ok &&= x.healthy < 2 || pinned < users;
  }
  return { verdict, ok };
}
