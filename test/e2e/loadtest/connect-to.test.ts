// --connect-to as curl's: the sockets go to ADDR:PORT2, while the Host header, TLS SNI and the
// certificate check stay the URL's (here a name, alb.test, that no resolver knows).
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent, loadtest } from '../../support/loadtest-checks.js';
import { selfSignedCert, startNginx, which, type Cert, type Nginx } from '../../support/loadtest-servers.js';

describe.skipIf(which('nginx') === null)('loadtest --connect-to', () => {
  let cert: Cert;
  let nginx: Nginx;
  let echo: http.Server;
  let echoPort: number;

  beforeAll(async () => {
    cert = selfSignedCert(undefined, 'alb.test');
    nginx = await startNginx({ cert });
    // Answers with the Host header it got in X-Served-By, so the per-target counts show it.
    echo = http.createServer((req, res) => res.writeHead(200, { 'X-Served-By': req.headers.host ?? '-' }).end('ok'));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    echoPort = (echo.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    echo?.close();
    await nginx?.stop();
  });

  it('keeps the Host header of the URL', async () => {
    const r = await loadtest({ requests: 20, connections: 2, connectTo: `alb.test:80:127.0.0.1:${echoPort}` }, 'http://alb.test/');
    expectConsistent(r);
    expect(r.targets).toEqual({ 'alb.test': 20 });
  });

  it('empty HOST and PORT match any URL', async () => {
    const r = await loadtest({ requests: 5, connections: 1, connectTo: ['nomatch.test:80:127.0.0.1:1', `::127.0.0.1:${echoPort}`] }, 'http://alb.test:8080/');
    expect(r.targets).toEqual({ 'alb.test:8080': 5 });
  });

  it('sends SNI and verifies the certificate for the URL host, not the address connected to', async () => {
    const ok = await loadtest({ requests: 20, connections: 2, ca: cert.cert, connectTo: `alb.test:443:127.0.0.1:${nginx.tlsPort}` }, 'https://alb.test/');
    expectConsistent(ok);
    expect(ok.statusCodes).toEqual({ 200: 20 });
    // The certificate is for alb.test (and 127.0.0.1): another name fails verification there.
    const wrong = await loadtest({ requests: 4, connections: 1, ca: cert.cert, connectTo: `::127.0.0.1:${nginx.tlsPort}` }, 'https://other.test/');
    expect(wrong.errors.tls).toBe(4);
    expect(wrong.errorSamples.tls).toMatch(/other\.test/);
    // An IP literal has no SNI; it is still checked against the URL's address, not the one connected to.
    const ip = await loadtest({ requests: 2, connections: 1, ca: cert.cert, connectTo: `::127.0.0.1:${nginx.tlsPort}` }, 'https://127.0.0.2/');
    expect(ip.errors.tls).toBe(2);
    expect(ip.errorSamples.tls).toMatch(/127\.0\.0\.2/);
  });
});
