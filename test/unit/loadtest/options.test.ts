import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { autoWorkers, connectTarget, isLoopback, parseConnectTo, parseLoadtestOptions, parseSeconds, parseTarget } from '../../../src/loadtest/options.js';
import { buildRequestTemplate, requestBytes } from '../../../src/loadtest/request.js';

const URL_ = 'http://example.com/';

describe('parseLoadtestOptions', () => {
  it('has defaults that are always bounded', () => {
    const o = parseLoadtestOptions({}, URL_, { cpus: 4 });
    expect(o).toMatchObject({
      mode: 'concurrency',
      connections: 50,
      rate: null,
      duration: 10,
      requests: null,
      warmup: 0,
      method: 'GET',
      headers: [],
      body: null,
      timeout: 10,
      insecure: false,
      ca: null,
      cookies: true,
      countHeader: 'x-served-by',
      report: null,
    });
    expect(o.workers).toBeGreaterThanOrEqual(1);
  });

  it('takes commander strings and typed values alike', () => {
    const o = parseLoadtestOptions(
      {
        connections: '8',
        duration: '1m',
        requests: 1000,
        rate: '250.5',
        workers: '2',
        method: 'post',
        header: ['X-One: 1', 'Cookie: session=abc'],
        body: '{"a":1}',
        timeout: '500ms',
        warmup: 2,
        ca: 'certificate.crt',
        cookies: false,
        countHeader: 'X-Instance',
        report: 'out.html',
        json: true, // a global option: ignored
      },
      'https://[::1]:8443/p?q=1',
    );
    expect(o).toMatchObject({
      mode: 'rate',
      connections: 8,
      duration: 60,
      requests: 1000,
      rate: 250.5,
      workers: 2,
      method: 'POST',
      headers: [
        ['X-One', '1'],
        ['Cookie', 'session=abc'],
      ],
      body: '{"a":1}',
      timeout: 0.5,
      warmup: 2,
      ca: 'certificate.crt',
      cookies: false,
      countHeader: 'x-instance',
      report: 'out.html',
    });
    expect(o.target).toEqual({
      href: 'https://[::1]:8443/p?q=1',
      secure: true,
      hostname: '::1',
      port: 8443,
      hostHeader: '[::1]:8443',
      path: '/p?q=1',
      servername: undefined,
    });
  });

  it('uses --requests alone as the bound', () => {
    expect(parseLoadtestOptions({ requests: '5' }, URL_)).toMatchObject({ duration: null, requests: 5 });
  });

  it.each([
    [{ connections: '0' }, /--connections must be an integer between 1 and 10000 \(got "0"\)/],
    [{ connections: '10001' }, /--connections/],
    [{ connections: '1.5' }, /--connections/],
    [{ connections: 'many' }, /--connections/],
    [{ duration: '0' }, /--duration must be a duration between 100ms and 24h/],
    [{ duration: '25h' }, /--duration/],
    [{ duration: '10x' }, /--duration/],
    [{ duration: '-1' }, /--duration/],
    [{ requests: '0' }, /--requests must be an integer between 1 and/],
    [{ requests: '1e3' }, /--requests/],
    [{ rate: '0' }, /--rate must be a number between 0.1 and/],
    [{ rate: 'fast' }, /--rate/],
    [{ workers: '0' }, /--workers must be an integer between 1 and 64/],
    [{ workers: '65' }, /--workers/],
    [{ workers: '4', connections: '2' }, /--workers must not exceed --connections/],
    [{ method: 'GE T' }, /--method must be an HTTP method/],
    [{ method: 'CONNECT' }, /--method/],
    [{ header: 'NoColon' }, /--header must be "Name: value"/],
    [{ header: 'Bad Name: x' }, /--header/],
    [{ header: ['X-Ok: 1', 'X-Bad: a\r\nInjected: 1'] }, /--header/],
    [{ timeout: '0' }, /--timeout must be a duration between 10ms and 1h/],
    [{ timeout: '2h' }, /--timeout/],
    [{ warmup: '2h' }, /--warmup must be a duration between 0s and 1h/],
    [{ warmup: 'soon' }, /--warmup/],
    [{ ca: ' ' }, /--ca must be the path of a PEM/],
    [{ ca: 'x.crt', insecure: true }, /--ca and --insecure cannot be used together/],
    [{ countHeader: 'x served by' }, /--count-header must be a header name/],
    [{ report: '' }, /--report must be the path of an HTML file/],
    [{ connectTo: 'alb:443:127.0.0.1' }, /--connect-to must be HOST:PORT:ADDR:PORT2/],
    [{ connectTo: 'alb:https:127.0.0.1:8443' }, /--connect-to/],
    [{ connectTo: ['::1:443:127.0.0.1:1'] }, /--connect-to/],
    [{ connectTo: 'alb:443:127.0.0.1:70000' }, /ports between 1 and 65535/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseLoadtestOptions(raw, URL_)).toThrow(UsageError);
    expect(() => parseLoadtestOptions(raw, URL_)).toThrow(message);
  });

  it.each([
    [undefined, /needs a URL/],
    ['', /needs a URL/],
    ['example.com', /url must be an http:\/\/ or https:\/\/ URL/],
    ['ftp://example.com/', /url must be an http/],
    ['https://user:pw@example.com/', /credentials/],
  ])('rejects the URL %j', (url, message) => {
    expect(() => parseLoadtestOptions({}, url)).toThrow(UsageError);
    expect(() => parseLoadtestOptions({}, url)).toThrow(message);
  });
});

describe('--connect-to', () => {
  const rules = parseConnectTo(['alb.example.com:443:127.0.0.1:8443', ':80:[::1]:8080', 'alb.example.com::10.9.9.9:', '::127.0.0.2:']);

  it("parses curl's HOST:PORT:ADDR:PORT2, brackets for IPv6, empty fields", () => {
    expect(rules.map(({ host, port, address, addressPort }) => [host, port, address, addressPort])).toEqual([
      ['alb.example.com', 443, '127.0.0.1', 8443],
      ['', 80, '::1', 8080],
      ['alb.example.com', null, '10.9.9.9', null],
      ['', null, '127.0.0.2', null],
    ]);
  });

  it('applies the first rule that matches the host (any case) and port; empty HOST or PORT match any', () => {
    const at = (url: string): [string, number] => {
      const c = connectTarget(parseTarget(url), rules);
      return [c.hostname, c.port];
    };
    expect(at('https://ALB.example.com/')).toEqual(['127.0.0.1', 8443]);
    expect(at('http://other.example.com/')).toEqual(['::1', 8080]);
    expect(at('http://alb.example.com:8000/')).toEqual(['10.9.9.9', 8000]);
    expect(at('https://other.example.com:9443/')).toEqual(['127.0.0.2', 9443]);
    expect(connectTarget(parseTarget('https://x.example/'), []).rule).toBeNull();
  });

  it('keeps the Host header and SNI of the URL, and counts a local ADDR as a server on this machine', () => {
    const o = parseLoadtestOptions({ connectTo: 'alb.example.com:443:127.0.0.1:8443', connections: 50 }, 'https://alb.example.com/', { cpus: 2 });
    expect(o.connect).toMatchObject({ hostname: '127.0.0.1', port: 8443 });
    expect(o.target).toMatchObject({ hostHeader: 'alb.example.com', servername: 'alb.example.com', port: 443 });
    expect(o.workers).toBe(1);
  });
});

describe('parseSeconds', () => {
  it.each([
    ['500ms', 0.5],
    ['2.5', 2.5],
    ['2.5s', 2.5],
    ['1m', 60],
    ['1h', 3600],
    [3, 3],
  ])('%s is %s seconds', (raw, want) => expect(parseSeconds(raw, '--x', 0, 86400)).toBe(want));
});

describe('parseTarget', () => {
  it('uses the URL host for SNI unless it is an IP literal', () => {
    expect(parseTarget('https://alb.example.com/').servername).toBe('alb.example.com');
    expect(parseTarget('https://127.0.0.1:8443/').servername).toBeUndefined();
    expect(parseTarget('http://alb.example.com').port).toBe(80);
    expect(parseTarget('https://alb.example.com').hostHeader).toBe('alb.example.com');
  });
});

describe('autoWorkers', () => {
  it.each([
    [8, 4, null, false, 1],
    [8, 1000, 100, false, 1],
    [8, 50, null, false, 8],
    [8, 50, null, true, 4],
    [2, 50, null, true, 1],
    [2, 50, null, false, 2],
    [16, 10, null, false, 10],
    [8, 50, 50_000, false, 8],
  ])('%i cores, %i connections, rate %s, loopback %s: %i workers', (cpus, connections, rate, loopback, want) => {
    expect(autoWorkers(cpus, connections, rate, loopback)).toBe(want);
  });

  it('knows a server on this machine', () => {
    expect(isLoopback('localhost')).toBe(true);
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('my-alb-1.eu-west-1.elb.amazonaws.com')).toBe(false);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
});

describe('request bytes', () => {
  it('are built once, with Host, a Content-Length for a body, and cookies merged', () => {
    const o = parseLoadtestOptions({ method: 'POST', body: 'héllo', header: ['Cookie: user=1', 'X-Test: y'] }, 'http://example.com:8080/path?a=b');
    const t = buildRequestTemplate(o);
    const plain = t.plain.toString('latin1');
    expect(plain).toBe(
      'POST /path?a=b HTTP/1.1\r\nHost: example.com:8080\r\nUser-Agent: albctl-loadtest/0.1\r\nAccept: */*\r\nX-Test: y\r\nContent-Length: 6\r\nCookie: user=1\r\n\r\nh\xc3\xa9llo',
    );
    expect(requestBytes(t, 'AWSALB=x').toString('latin1')).toContain('Cookie: user=1; AWSALB=x\r\n\r\n');
    const get = buildRequestTemplate(parseLoadtestOptions({ header: 'Host: other.example' }, 'http://example.com/'));
    expect(get.plain.toString('latin1')).toBe('GET / HTTP/1.1\r\nUser-Agent: albctl-loadtest/0.1\r\nAccept: */*\r\nHost: other.example\r\n\r\n');
    expect(requestBytes(get, 'a=1').toString('latin1')).toMatch(/Host: other.example\r\nCookie: a=1\r\n\r\n$/);
  });
});
