// The data plane's HAProxy configuration: a pure function of the stack, checked case by case and
// by HAProxy itself (`haproxy -c`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findHaproxy } from '../../../src/sandbox/haproxy.js';
import {
  matcherRule,
  quote,
  redirectLocation,
  renderHaproxyConfig,
  serverOptions,
  tlsBindOptions,
  type RenderInput,
} from '../../../src/sandbox/haproxy-config.js';
import type { ListenerView, StackView, TargetGroupView } from '../../../src/sandbox/stack-view.js';
import { selfSignedCert } from '../../support/loadtest-servers.js';

const tg: TargetGroupView = {
  arn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/albctl-tg/abc',
  name: 'albctl-tg',
  protocol: 'HTTP',
  protocolVersion: 'HTTP1',
  port: 8080,
  healthCheck: { protocol: 'HTTP', path: '/status', interval: 10, timeout: 5, healthyThreshold: 3, unhealthyThreshold: 2, matcher: '200' },
  stickiness: { enabled: true, type: 'lb_cookie', durationSeconds: 86400 },
  algorithm: 'round_robin',
  slowStartSeconds: 0,
  deregistrationDelaySeconds: 30,
};

const http: ListenerView = { arn: 'l-http', protocol: 'HTTP', port: 80, action: { type: 'forward', targetGroupArn: tg.arn }, tls: null };
const https: ListenerView = {
  arn: 'l-https',
  protocol: 'HTTPS',
  port: 443,
  action: { type: 'forward', targetGroupArn: tg.arn },
  tls: {
    policy: 'ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09',
    protocols: ['TLSv1.3', 'TLSv1.2'],
    ciphers: ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384'],
    certificateArn: 'arn:aws:iam::123456789012:server-certificate/albctl/albctl/albctl-cert-202612030000',
    certificatePem: '',
  },
};
const redirect: ListenerView = {
  ...http,
  action: { type: 'redirect', protocol: 'HTTPS', port: '443', host: '#{host}', path: '/#{path}', query: '#{query}', statusCode: 301 },
};

function view(over: Partial<Omit<StackView, 'targets'>> = {}): Omit<StackView, 'targets'> {
  return {
    loadBalancer: { arn: 'lb', name: 'albctl-alb', dnsName: 'albctl-alb-1.us-east-1.elb.amazonaws.com', idleTimeoutSeconds: 60 },
    listeners: [http, https],
    targetGroups: [tg],
    ...over,
  };
}

function input(v: Omit<StackView, 'targets'>, over: Partial<RenderInput> = {}): RenderInput {
  return {
    stack: 'albctl',
    view: v,
    frontends: new Map([
      ['l-http', 41080],
      ['l-https', 41443],
    ]),
    certificates: new Map([['l-https', '/run/albctl/listener-443.pem']]),
    servers: [],
    socket: '/run/albctl/admin.sock',
    serverStateFile: '/run/albctl/server-state',
    cookieKey: 'k3y',
    ...over,
  };
}

const block = (config: string, header: string) => {
  const start = `\n${config}`.indexOf(`\n${header}\n`);
  expect(start, `no "${header}" in\n${config}`).toBeGreaterThanOrEqual(0);
  const end = config.indexOf('\n\n', start);
  return config.slice(start, end < 0 ? undefined : end);
};

describe('renderHaproxyConfig', () => {
  const cases: { name: string; v: Omit<StackView, 'targets'>; over?: Partial<RenderInput>; has: [string, RegExp][]; lacks?: [string, RegExp][] }[] = [
    {
      name: 'the default stack: HTTP and HTTPS forward to the target group, sticky for a day',
      v: view(),
      has: [
        ['frontend listener-http-80', /^ {2}bind 127\.0\.0\.1:41080$/m],
        ['frontend listener-http-80', /^ {2}default_backend tg-albctl-tg$/m],
        ['frontend listener-http-80', /X-Forwarded-Proto http$/m],
        ['frontend listener-https-443', /^ {2}bind 127\.0\.0\.1:41443 ssl crt "\/run\/albctl\/listener-443\.pem" ssl-min-ver TLSv1\.2 ssl-max-ver TLSv1\.3 /m],
        ['frontend listener-https-443', /ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384 ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384/],
        ['frontend listener-https-443', /X-Forwarded-Port 443$/m],
        ['backend tg-albctl-tg', /^ {2}balance roundrobin$/m],
        ['backend tg-albctl-tg', /^ {2}http-check send meth GET uri "\/status"$/m],
        ['backend tg-albctl-tg', /^ {2}http-check expect status 200$/m],
        ['backend tg-albctl-tg', /^ {2}timeout check 5s$/m],
        ['backend tg-albctl-tg', /^ {2}cookie AWSALB insert dynamic maxlife 86400s attr "Max-Age=86400"$/m],
        ['defaults', /^ {2}timeout client 60s$/m],
        ['global', /^ {2}stats socket "\/run\/albctl\/admin\.sock" mode 600 level admin/m],
      ],
    },
    {
      name: 'the redirect: 301 to HTTPS with the port written out, the query only when there is one',
      v: view({ listeners: [redirect, https] }),
      has: [
        ['frontend listener-http-80', /redirect location "https:\/\/%\[req\.hdr\(host\),field\(1,:\)\]:443\/%\[path,regsub\(\^\/,\)\]\?%\[query\]" code 301 if \{ query -m len gt 0 \}/],
        ['frontend listener-http-80', /redirect location "https:\/\/%\[req\.hdr\(host\),field\(1,:\)\]:443\/%\[path,regsub\(\^\/,\)\]" code 301$/m],
      ],
      lacks: [['frontend listener-http-80', /default_backend/]],
    },
    {
      name: 'stickiness off: no cookie',
      v: view({ targetGroups: [{ ...tg, stickiness: { ...tg.stickiness, enabled: false } }] }),
      has: [['backend tg-albctl-tg', /balance roundrobin/]],
      lacks: [['backend tg-albctl-tg', /cookie|dynamic-cookie-key/]],
    },
    {
      name: 'a listener with no local port (its key is missing) is left out',
      v: view(),
      over: { frontends: new Map([['l-http', 41080]]) },
      has: [['frontend listener-http-80', /bind/]],
      lacks: [['global', /listener-https-443/]],
    },
    {
      name: 'servers known at a reload are written with their check settings',
      v: view(),
      over: { servers: [{ targetGroupArn: tg.arn, name: 'i-0abc:8080', address: '127.0.0.1:41001' }] },
      has: [['backend tg-albctl-tg', /^ {2}server i-0abc:8080 127\.0\.0\.1:41001 check inter 10s rise 3 fall 2$/m]],
    },
    {
      name: 'least outstanding requests, slow start, a matcher range, a longer idle timeout',
      v: view({
        loadBalancer: { arn: 'lb', name: 'x', dnsName: 'x', idleTimeoutSeconds: 120 },
        targetGroups: [{ ...tg, algorithm: 'least_outstanding_requests', slowStartSeconds: 30, healthCheck: { ...tg.healthCheck, matcher: '200-202,302' } }],
      }),
      over: { servers: [{ targetGroupArn: tg.arn, name: 'i-1:8080', address: '127.0.0.1:41001' }] },
      has: [
        ['backend tg-albctl-tg', /^ {2}balance leastconn$/m],
        ['backend tg-albctl-tg', /http-check expect rstatus \^\(200\|201\|202\|302\)\$/],
        ['backend tg-albctl-tg', /server i-1:8080 127\.0\.0\.1:41001 check .* slowstart 30s$/m],
        ['defaults', /timeout http-keep-alive 120s/],
      ],
    },
    {
      name: 'a fixed response and an action the data plane does not mirror',
      v: view({
        listeners: [
          { ...http, action: { type: 'fixed-response', statusCode: 418, contentType: 'text/plain', body: 'short and "stout"\n' } },
          { ...https, action: { type: 'unsupported', what: 'the action authenticate-oidc' } },
        ],
      }),
      has: [
        ['frontend listener-http-80', /http-request return status 418 content-type "text\/plain" string "short and \\"stout\\"\\n"/],
        ['frontend listener-https-443', /http-request return status 503 .*authenticate-oidc is not mirrored/],
      ],
    },
  ];

  it.each(cases)('$name', ({ v, over, has, lacks }) => {
    const config = renderHaproxyConfig(input(v, over));
    for (const [header, re] of has) expect(block(config, header)).toMatch(re);
    for (const [header, re] of lacks ?? []) expect(block(config, header)).not.toMatch(re);
  });

  it('is the same text for the same stack (no timestamps: a change means the stack changed)', () => {
    expect(renderHaproxyConfig(input(view()))).toBe(renderHaproxyConfig(input(view())));
  });
});

describe('the parts', () => {
  it.each([
    ['200', 'status 200'],
    ['200,302', 'rstatus ^(200|302)$'],
    ['200-203', 'rstatus ^(200|201|202|203)$'],
    [' 301 , 200 ', 'rstatus ^(301|200)$'],
  ])('matcher %j → %s', (matcher, rule) => expect(matcherRule(matcher)).toBe(rule));

  it.each([
    [['TLSv1.2'], ['ECDHE-RSA-AES128-GCM-SHA256'], ['ssl-min-ver TLSv1.2', 'ssl-max-ver TLSv1.2', 'ciphers ECDHE-RSA-AES128-GCM-SHA256']],
    [['TLSv1', 'TLSv1.1', 'TLSv1.2'], [], ['ssl-min-ver TLSv1.0', 'ssl-max-ver TLSv1.2']],
    [['TLSv1.3'], ['TLS_AES_128_GCM_SHA256'], ['ssl-min-ver TLSv1.3', 'ssl-max-ver TLSv1.3', 'ciphersuites TLS_AES_128_GCM_SHA256']],
  ])('security policy %j %j → %j', (protocols, ciphers, options) => expect(tlsBindOptions(protocols, ciphers)).toEqual(options));

  it.each([
    [tg, 'check inter 10s rise 3 fall 2'],
    [{ ...tg, protocol: 'HTTPS', healthCheck: { ...tg.healthCheck, protocol: 'HTTPS' } }, 'check inter 10s rise 3 fall 2 ssl verify none'],
    [{ ...tg, protocolVersion: 'HTTP2' }, 'check inter 10s rise 3 fall 2 proto h2'],
  ])('server options of %#', (g, options) => expect(serverOptions(g)).toBe(options));

  it('redirect location: literal parts stay, placeholders become HAProxy expressions', () => {
    const a = { type: 'redirect' as const, protocol: '#{protocol}', port: '8443', host: 'example.com', path: '/new/#{path}', query: 'a=1&#{query}', statusCode: 302 };
    expect(redirectLocation(a, { protocol: 'HTTP', port: 80 }, true)).toBe('http://example.com:8443/new/%[path,regsub(^/,)]?a=1&%[query]');
  });

  it('quote escapes what HAProxy would read otherwise', () => {
    expect(quote('a "b" $HOME #x \\ \n')).toBe('"a \\"b\\" \\$HOME \\#x \\\\ \\n"');
  });
});

describe.skipIf(findHaproxy() === null)('haproxy -c accepts every rendered configuration', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'albctl-haproxy-config-'));
  const cert = selfSignedCert(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const variants: [string, Omit<StackView, 'targets'>][] = [
    ['default', view()],
    ['redirect', view({ listeners: [redirect, https] })],
    ['no stickiness', view({ targetGroups: [{ ...tg, stickiness: { ...tg.stickiness, enabled: false } }] })],
    ['HTTP2 targets, weighted random, matcher range', view({ targetGroups: [{ ...tg, protocolVersion: 'HTTP2', algorithm: 'weighted_random', healthCheck: { ...tg.healthCheck, matcher: '200-299' } }] })],
    ['fixed response', view({ listeners: [{ ...http, action: { type: 'fixed-response', statusCode: 404, contentType: 'text/html', body: '<p>"gone" $x #y</p>\n' } }, https] })],
  ];
  it.each(variants)('%s', (name, v) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '-')}.cfg`);
    const servers = [{ targetGroupArn: tg.arn, name: 'i-0abc:8080', address: '127.0.0.1:41001' }];
    writeFileSync(file, renderHaproxyConfig(input(v, { certificates: new Map([['l-https', cert.pem]]), servers, socket: path.join(dir, 's.sock'), serverStateFile: path.join(dir, 'state') })));
    const out = execFileSync(findHaproxy()!, ['-c', '-f', file], { encoding: 'utf8', stdio: 'pipe' });
    expect(out).toMatch(/Configuration file is valid/);
  });
});
