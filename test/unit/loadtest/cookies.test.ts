import { describe, expect, it } from 'vitest';
import { CookieJar, defaultPath, parseSetCookie, pathMatches } from '../../../src/loadtest/cookies.js';

const https = { host: 'my-alb-123.eu-west-1.elb.amazonaws.com', path: '/app/page?x=1', secure: true };
const http = { ...https, secure: false };
const T0 = Date.UTC(2026, 0, 1);

describe('parseSetCookie', () => {
  it('reads the pair and the attributes that matter', () => {
    expect(parseSetCookie('AWSALB=abc/def+==; Expires=Thu, 08 Jan 2026 00:00:00 GMT; Path=/')).toEqual({
      name: 'AWSALB',
      value: 'abc/def+==',
      path: '/',
      domain: null,
      maxAge: null,
      expires: Date.UTC(2026, 0, 8),
      secure: false,
    });
    expect(parseSetCookie('AWSALBCORS=x; Max-Age=-1; SameSite=None; Secure; Domain=.Example.com')).toMatchObject({
      maxAge: -1,
      secure: true,
      domain: 'example.com',
    });
    expect(parseSetCookie('q="quoted"')!.value).toBe('quoted');
  });

  it('ignores cookies without a name=value pair', () => {
    expect(parseSetCookie('justaname')).toBeNull();
    expect(parseSetCookie('=value')).toBeNull();
  });
});

describe('paths', () => {
  it.each([
    ['/', '/'],
    ['/app', '/'],
    ['/app/page?x=1', '/app'],
    ['/a/b/c', '/a/b'],
  ])('default path of %s is %s', (req, want) => expect(defaultPath(req)).toBe(want));

  it.each([
    ['/app/page', '/', true],
    ['/app/page', '/app', true],
    ['/app/page', '/app/', true],
    ['/application', '/app', false],
    ['/app', '/app/page', false],
  ])('%s path-matches %s: %s', (req, cookie, want) => expect(pathMatches(req, cookie)).toBe(want));
});

describe('CookieJar', () => {
  it('sends what it was given and follows new values, as ALB re-issues AWSALB on every response', () => {
    const jar = new CookieJar(https);
    expect(jar.header(T0)).toBe('');
    expect(jar.set('AWSALB=v1; Path=/', T0)).toBe(true);
    expect(jar.set('AWSALBCORS=v1; Path=/; SameSite=None; Secure', T0)).toBe(true);
    expect(jar.header(T0)).toBe('AWSALB=v1; AWSALBCORS=v1');
    expect(jar.set('AWSALB=v1; Path=/', T0)).toBe(false);
    expect(jar.set('AWSALB=v2; Path=/', T0)).toBe(true);
    expect(jar.header(T0)).toBe('AWSALB=v2; AWSALBCORS=v1');
    expect(jar.size).toBe(2);
  });

  it('drops a cookie on Max-Age=0 or an Expires in the past', () => {
    const jar = new CookieJar(https);
    jar.set('a=1', T0);
    jar.set('b=2', T0);
    expect(jar.set('a=gone; Max-Age=0', T0)).toBe(true);
    expect(jar.set('b=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT', T0)).toBe(true);
    expect(jar.header(T0)).toBe('');
    expect(jar.set('c=1; Max-Age=0', T0)).toBe(false);
  });

  it('expires cookies when their time comes', () => {
    const jar = new CookieJar(https);
    jar.set('short=1; Max-Age=2', T0);
    jar.set('long=1; Max-Age=3600', T0);
    expect(jar.nextExpiry).toBe(T0 + 2000);
    expect(jar.header(T0 + 1999)).toBe('short=1; long=1');
    expect(jar.header(T0 + 2000)).toBe('long=1');
    expect(jar.nextExpiry).toBe(T0 + 3_600_000);
  });

  it('neither takes nor sends Secure cookies over plain HTTP', () => {
    const jar = new CookieJar(http);
    expect(jar.set('AWSALBCORS=x; Secure; SameSite=None', T0)).toBe(false);
    jar.set('AWSALB=y', T0);
    expect(jar.header(T0)).toBe('AWSALB=y');
  });

  it('refuses cookies for another domain or another path', () => {
    const jar = new CookieJar(https);
    expect(jar.set('a=1; Domain=example.com', T0)).toBe(false);
    expect(jar.set('b=1; Domain=elb.amazonaws.com', T0)).toBe(true);
    expect(jar.set('c=1; Path=/other', T0)).toBe(false);
    expect(jar.header(T0)).toBe('b=1');
  });

  it('sends longer paths first, then older cookies', () => {
    const jar = new CookieJar(https);
    jar.set('root=1; Path=/', T0);
    jar.set('deep=1; Path=/app', T0 + 1);
    jar.set('root2=1; Path=/', T0 + 2);
    expect(jar.header(T0 + 3)).toBe('deep=1; root=1; root2=1');
  });
});
