// The data plane's picture of a stack: what the emulator holds about the load balancer, its
// listeners, the target groups they forward to and the registered targets, in plain data. Read by
// read-stack.ts, rendered into an HAProxy configuration by haproxy-config.ts.
import type { HealthCheck } from '../steps/target-group.js';

export interface LoadBalancerView {
  arn: string;
  name: string;
  dnsName: string;
  /** The load balancer's idle_timeout.timeout_seconds (AWS default 60). */
  idleTimeoutSeconds: number;
}

/** The target group's health check (matcher as it holds it: `200`, `200,302`, `200-299`), and its protocol. */
export interface HealthCheckView extends HealthCheck {
  protocol: string;
}

export interface TargetGroupView {
  arn: string;
  name: string;
  protocol: string;
  protocolVersion: string;
  port: number;
  healthCheck: HealthCheckView;
  stickiness: { enabled: boolean; type: string; durationSeconds: number };
  /** load_balancing.algorithm.type: round_robin, least_outstanding_requests, weighted_random. */
  algorithm: string;
  slowStartSeconds: number;
  deregistrationDelaySeconds: number;
}

export type ActionView =
  | { type: 'forward'; targetGroupArn: string }
  | { type: 'redirect'; protocol: string; port: string; host: string; path: string; query: string; statusCode: number }
  | { type: 'fixed-response'; statusCode: number; contentType: string; body: string }
  | { type: 'unsupported'; what: string };

export interface TlsView {
  policy: string;
  /** AWS's names, e.g. TLSv1.2, TLSv1.3. */
  protocols: string[];
  /** OpenSSL names in the policy's priority order; TLS 1.3 suites are the TLS_* ones. */
  ciphers: string[];
  certificateArn: string;
  /** The certificate body (and chain) as IAM holds it. */
  certificatePem: string;
}

export interface ListenerView {
  arn: string;
  protocol: string;
  port: number;
  action: ActionView;
  /** HTTPS listeners only. */
  tls: TlsView | null;
}

export interface TargetView {
  targetGroupArn: string;
  /** The instance id. */
  id: string;
  port: number;
  az: string;
}

export interface StackView {
  loadBalancer: LoadBalancerView;
  listeners: ListenerView[];
  targetGroups: TargetGroupView[];
  /** Registered targets whose instance is pending or running. */
  targets: TargetView[];
}

/** The HAProxy server name of a target, as `albctl status` names it too: `<instance id>:<port>`. */
export function targetKey(t: Pick<TargetView, 'id' | 'port'>): string {
  return `${t.id}:${t.port}`;
}

/** What decides the HAProxy configuration: everything but the targets, which follow at run time. */
export function configPart(view: StackView): Omit<StackView, 'targets'> {
  const { targets: _targets, ...rest } = view;
  return rest;
}
