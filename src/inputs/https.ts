// The HTTPS listener's questions: port, certificate, security policy, HTTP→HTTPS redirect.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCertName } from '../cert/options.js';
import { UsageError } from '../errors.js';
import { port } from './parse.js';
import { parseSwitch, question, type AskContext } from './question.js';

/** The console's default since 2025: TLS 1.3 and 1.2, restricted ciphers, hybrid post-quantum key exchange. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09';

/**
 * The predefined policies (DescribeSSLPolicies, 2025), TLS 1.3 ones first: shell completion offers
 * them; --ssl-policy takes any name the region has (the step checks it).
 */
export const PREDEFINED_SSL_POLICIES = [
  DEFAULT_SSL_POLICY,
  'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-2-2021-06',
  'ELBSecurityPolicy-TLS13-1-3-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-3-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06',
  'ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06',
  'ELBSecurityPolicy-TLS13-1-1-2021-06',
  'ELBSecurityPolicy-TLS13-1-0-PQ-2025-09',
  'ELBSecurityPolicy-TLS13-1-0-2021-06',
  'ELBSecurityPolicy-TLS-1-2-Ext-2018-06',
  'ELBSecurityPolicy-TLS-1-2-2017-01',
  'ELBSecurityPolicy-TLS-1-1-2017-01',
  'ELBSecurityPolicy-FS-1-2-Res-2020-10',
  'ELBSecurityPolicy-2016-08',
] as const;

/** Where the HTTPS listener's certificate comes from. */
export type CertificateRef = { arn: string } | { name: string } | { file: string };

const IAM_ARN = /^arn:aws[a-z-]*:iam::\d{12}:server-certificate\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,128}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** An ARN (IAM or ACM), a path to a PEM certificate (private.pem next to it), or an IAM name. */
export function certificateRef(raw: string, flag: string): CertificateRef {
  const text = String(raw).trim();
  if (text.startsWith('arn:')) {
    if (IAM_ARN.test(text) || ACM_ARN.test(text)) return { arn: text };
    throw new UsageError(
      `${flag} must be an IAM server certificate ARN (arn:aws:iam::<account>:server-certificate/<name>) or an ACM certificate ARN (got ${JSON.stringify(text)})`,
    );
  }
  if (/[/\\]/.test(text) || /\.(crt|pem|cer)$/i.test(text) || existsSync(text)) return { file: resolve(text) };
  return { name: parseCertName(text, flag) };
}

export function showCertificateRef(ref: CertificateRef): string {
  return 'arn' in ref ? ref.arn : 'file' in ref ? ref.file : ref.name;
}

export const httpsPort = question({
  key: 'httpsPort',
  flag: 'https-port',
  local: 'port',
  arg: '<port>',
  description: 'HTTPS listener port',
  message: 'HTTPS listener port',
  when: (v) => v.https !== false,
  parse: port,
  default: () => 443,
});

export const certificate = question({
  key: 'certificate',
  flag: 'certificate',
  arg: '<arn|name|file>',
  description: 'the listener certificate: an IAM/ACM ARN, an IAM server certificate name, or a certificate.crt (uploaded, with private.pem next to it)',
  defaultHelp: 'the one `albctl cert --upload` made',
  parse: certificateRef,
  // A file is uploaded with the private.pem beside it: both must be usable.
  verify: async (ref, flag) => {
    if (!('file' in ref)) return;
    const { readUploadable } = await import('../cert/files.js');
    await readUploadable(ref.file, flag);
  },
  show: showCertificateRef,
});

export const sslPolicy = question({
  key: 'sslPolicy',
  flag: 'ssl-policy',
  arg: '<policy>',
  description: 'ELB security policy (checked with DescribeSSLPolicies)',
  choices: PREDEFINED_SSL_POLICIES,
  message: 'TLS security policy',
  ask: {
    kind: 'select',
    // The region's predefined policies, newest TLS 1.3 ones first, the default at the top.
    choices: async (a: AskContext) => {
      const { DescribeSSLPoliciesCommand, ElasticLoadBalancingV2Client } = await import('@aws-sdk/client-elastic-load-balancing-v2');
      const out = await a.aws.client(ElasticLoadBalancingV2Client).send(new DescribeSSLPoliciesCommand({}), { abortSignal: a.signal });
      const names = (out.SslPolicies ?? []).map((p) => p.Name!).filter(Boolean);
      const rank = (n: string) => (n === DEFAULT_SSL_POLICY ? 0 : n.includes('TLS13') ? 1 : 2);
      return names
        .sort((x, y) => rank(x) - rank(y) || y.localeCompare(x))
        .map((n) => ({ name: n === DEFAULT_SSL_POLICY ? `${n} (default: TLS 1.3 and 1.2, post-quantum key exchange)` : n, short: n, value: n }));
    },
  },
  when: (v) => v.https !== false,
  parse: (raw, flag) => {
    const text = String(raw).trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/.test(text)) {
      throw new UsageError(`${flag} must be an ELB security policy name like ${DEFAULT_SSL_POLICY} (got ${JSON.stringify(text)})`);
    }
    return text;
  },
  default: () => DEFAULT_SSL_POLICY,
});

export const redirectHttp = question({
  key: 'redirectHttp',
  flag: 'redirect-http',
  description: 'turn the HTTP listener into a 301 redirect to HTTPS',
  negation: 'make the HTTP listener forward to the target group again (no redirect)',
  message: 'Redirect HTTP to HTTPS?',
  when: (v) => v.https !== false,
  parse: parseSwitch,
  // ELB.1: on wherever an HTTPS listener is made (init with HTTPS, `https`); `alb` alone has none to redirect to.
  default: (d) => (d.command === 'init' ? d.values.https !== false : d.command === 'https'),
});

export const httpsQuestions = [httpsPort, certificate, sslPolicy, redirectHttp];

/** The HTTP and HTTPS listeners are told apart by port: they cannot share one. */
export function checkListenerPorts(values: { listenerPort: number; httpsPort: number }, flag: string, other: 'HTTP' | 'HTTPS'): void {
  const http = values.listenerPort;
  if (http === values.httpsPort) {
    throw new UsageError(`${flag} ${http} is the ${other} listener's port: the HTTP and HTTPS listeners need different ports`);
  }
}
