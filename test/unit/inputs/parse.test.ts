import { describe, expect, it } from 'vitest';
import {
  duration,
  elbName,
  formatDuration,
  httpMatcher,
  instanceTargets,
  integer,
  port,
  stackName,
  tagList,
  urlPath,
} from '../../../src/inputs/parse.js';
import { usage } from '../../support/usage.js';

describe('port', () => {
  it.each([
    ['1', 1],
    ['8080', 8080],
    ['65535', 65535],
    [' 80 ', 80],
  ])('accepts %j', (raw, want) => expect(port(raw, '--port')).toBe(want));
  it.each(['0', '65536', '-1', '80.5', 'http', '', '1e3', '0x50'])('rejects %j naming the flag', (raw) => {
    expect(usage(() => port(raw, '--port'))).toMatch(/^--port must be an integer from 1 to 65535 \(got/);
  });
});

describe('integer', () => {
  it('bounds', () => {
    expect(integer('5', '--n', 5, 10)).toBe(5);
    expect(usage(() => integer('11', '--n', 5, 10))).toContain('--n');
  });
});

describe('duration', () => {
  const d = (raw: string) => duration(raw, '--duration', 1, 604800);
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['12h', 43200],
    ['1d', 86400],
    ['7d', 604800],
    ['1', 1],
    ['3600', 3600],
    ['2D', 172800],
  ])('%j is %d seconds', (raw, want) => expect(d(raw)).toBe(want));
  it.each(['0', '0s', '8d', '604801', 'abc', '1.5h', '-1', '', '1w', '1 d'])('rejects %j', (raw) => {
    expect(usage(() => d(raw))).toMatch(/^--duration must be a duration from 1s to 7d/);
  });
  it('formats', () => {
    expect(formatDuration(86400)).toBe('1d');
    expect(formatDuration(90)).toBe('90s');
    expect(formatDuration(900)).toBe('15m');
  });
});

describe('elbName', () => {
  it.each(['a', 'albctl-tg', 'A1-b2', 'x'.repeat(32)])('accepts %j', (n) => expect(elbName(n, '--name', 'target group')).toBe(n));
  it.each(['', '-tg', 'tg-', 'has_underscore', 'dots.no', 'x'.repeat(33), 'spa ce'])('rejects %j', (n) => {
    expect(usage(() => elbName(n, '--name', 'target group'))).toMatch(/^--name must be a target group name of 1-32/);
  });
  it('rejects internal- for load balancers only', () => {
    expect(usage(() => elbName('internal-web', '--name', 'load balancer'))).toContain('internal-');
    expect(elbName('internal-web', '--name', 'target group')).toBe('internal-web');
  });
});

describe('stackName', () => {
  it.each(['albctl', 'web1', 'a', 'a'.repeat(28), 'my-stack'])('accepts %j', (n) => expect(stackName(n)).toBe(n));
  it.each(['', '1abc', '-x', 'x-', 'a'.repeat(29), 'under_score', 'internal', 'internal-x', 'Internal-y'])('rejects %j', (n) => {
    expect(usage(() => stackName(n))).toMatch(/^--stack must be/);
  });
});

describe('instanceTargets', () => {
  it('parses ids and ports', () => {
    expect(instanceTargets('i-0123456789abcdef0,i-12345678:8081', '--register')).toEqual([
      { id: 'i-0123456789abcdef0' },
      { id: 'i-12345678', port: 8081 },
    ]);
  });
  it.each(['i-xyz', 'instance', 'i-12345678:0', 'i-12345678:99999', 'i-123'])('rejects %j', (raw) => {
    expect(usage(() => instanceTargets(raw, '--register'))).toMatch(/^--register must be/);
  });
});

describe('httpMatcher', () => {
  it.each(['200', '200,302', '200-299', '200, 204'])('accepts %j', (m) => expect(httpMatcher(m, '--matcher')).toBe(m.replace(/\s/g, '')));
  it.each(['199', '500', '2xx', '299-200', '', '200-600', 'ok'])('rejects %j', (m) => {
    expect(usage(() => httpMatcher(m, '--matcher'))).toMatch(/^--matcher must be HTTP codes/);
  });
});

describe('urlPath and tags', () => {
  it('paths start with /', () => {
    expect(urlPath('/status', '--health-path')).toBe('/status');
    expect(usage(() => urlPath('status', '--health-path'))).toContain('--health-path');
    expect(usage(() => urlPath('/a b', '--health-path'))).toContain('--health-path');
  });
  it('tags', () => {
    expect(tagList('team=web,env=prod', '--tags')).toEqual({ team: 'web', env: 'prod' });
    expect(usage(() => tagList('aws:x=1', '--tags'))).toContain('--tags');
    expect(usage(() => tagList('=v', '--tags'))).toContain('--tags');
  });
});
