import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCertName, parseSan, validateCertOptions, type RawCertOptions } from '../../../src/cert/index.js';
import { UsageError } from '../../../src/errors.js';

const now = new Date('2026-03-04T05:06:59Z');
const ctx = { stack: 'demo', now, cwd: '/work/x' };

describe('validateCertOptions defaults', () => {
  it('without a load balancer: CN and SAN from the stack name', () => {
    expect(validateCertOptions({}, ctx)).toEqual({
      outDir: '/work/x/.albctl/demo/cert',
      cn: 'demo',
      san: ['demo'],
      days: 365,
      bits: 2048,
      name: 'demo-cert-202603040506',
      upload: false,
      warnings: [],
    });
  });

  it('with a load balancer: its DNS name as CN and SAN', () => {
    const dnsName = 'demo-alb-123456789.us-east-1.elb.amazonaws.com';
    const o = validateCertOptions({}, { ...ctx, dnsName });
    expect(o.cn).toBe(dnsName);
    expect(o.san).toEqual([dnsName]);
  });

  it('a DNS name longer than 64 characters goes in the SAN only; the CN falls back to the stack', () => {
    const dnsName = 'internal-a-very-long-load-balancer-name-1234567890.ap-southeast-2.elb.amazonaws.com';
    const o = validateCertOptions({}, { ...ctx, dnsName });
    expect(o.cn).toBe('demo');
    expect(o.san).toEqual([dnsName]);
  });

  it('flags override; --san replaces the default and --out resolves against cwd', () => {
    const o = validateCertOptions(
      { out: 'certs', cn: 'My Site', san: ['A.Example.test, b.example.test.', 'a.example.test,,10.0.0.1'], days: '30', bits: '4096', name: 'my.cert@1', upload: true },
      ctx,
    );
    expect(o).toEqual({
      outDir: resolve('/work/x', 'certs'),
      cn: 'My Site',
      san: ['a.example.test', 'b.example.test', '10.0.0.1'],
      days: 30,
      bits: 4096,
      name: 'my.cert@1',
      upload: true,
      warnings: [],
    });
  });

  it('warns, without failing, about a missing SAN and Apple\'s 825-day limit', () => {
    const o = validateCertOptions({ cn: 'not a host', days: 900 }, ctx);
    expect(o.san).toEqual([]);
    expect(o.warnings).toHaveLength(2);
    expect(o.warnings.join('\n')).toMatch(/no subjectAltName.*--san/);
    expect(o.warnings.join('\n')).toMatch(/--days 900: Apple/);
  });

  it('the default name is UTC yyyymmddhhmm', () => {
    expect(defaultCertName('s', new Date('2026-12-31T23:59:00-05:00'))).toBe('s-cert-202701010459');
  });
});

describe('validateCertOptions rejects bad flags, naming them', () => {
  const cases: [string, RawCertOptions, string, RegExp?][] = [
    ['cn too long', { cn: 'c'.repeat(65) }, '--cn', /at most 64 characters \(got 65\).*--san/],
    ['cn empty', { cn: '  ' }, '--cn'],
    ['cn control char', { cn: 'a\nb' }, '--cn'],
    ['san underscore', { san: 'bad_name.example.test' }, '--san', /letters, digits and inner hyphens/],
    ['san leading hyphen', { san: '-a.example.test' }, '--san'],
    ['san empty label', { san: 'a..example.test' }, '--san', /empty label/],
    ['san long label', { san: `${'l'.repeat(64)}.test` }, '--san', /longer than 63/],
    ['san too long', { san: Array.from({ length: 60 }, () => 'abcd').join('.') }, '--san', /at most 253/],
    ['san bare wildcard TLD', { san: '*.com' }, '--san'],
    ['san inner wildcard', { san: 'a.*.example.test' }, '--san'],
    ['san bad IPv4', { san: '10.0.0.256' }, '--san', /numeric/],
    ['san URL', { san: 'https://a.example.test' }, '--san'],
    ['san too many', { san: Array.from({ length: 101 }, (_, i) => `h${i}.test`).join(',') }, '--san', /at most 100/],
    ['days zero', { days: '0' }, '--days', /1 to 3650 \(got 0\)/],
    ['days too many', { days: 3651 }, '--days'],
    ['days fraction', { days: '1.5' }, '--days'],
    ['days word', { days: 'year' }, '--days'],
    ['days negative', { days: '-1' }, '--days'],
    ['bits 1024', { bits: '1024' }, '--bits', /^--bits must be 2048, 3072 or 4096 \(got 1024\)$/],
    ['bits text', { bits: 'big' }, '--bits'],
    ['name too long', { name: 'n'.repeat(129) }, '--name', /1 to 128 characters \(got 129\)/],
    ['name with space', { name: 'my cert' }, '--name', /letters, digits and _\+=,\.@-/],
    ['name with slash', { name: 'a/b' }, '--name'],
    ['out empty', { out: ' ' }, '--out'],
  ];
  it.each(cases)('%s', (_what, raw, flag, message) => {
    let err: unknown;
    try {
      validateCertOptions(raw, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as Error).message.startsWith(flag)).toBe(true);
    if (message) expect((err as Error).message).toMatch(message);
  });

  it('a stack name that cannot make a certificate name points at --stack', () => {
    expect(() => validateCertOptions({}, { ...ctx, stack: 'a b' })).toThrow(/^--stack \(the default --name\)/);
  });
});

describe('parseSan', () => {
  it('accepts wildcards, IPv6, trailing dots and upper case', () => {
    expect(parseSan('*.Apps.Example.test,::1,host.example.test.,2001:DB8::1')).toEqual([
      '*.apps.example.test', '::1', 'host.example.test', '2001:db8::1',
    ]);
    expect(parseSan('')).toEqual([]);
  });
});
