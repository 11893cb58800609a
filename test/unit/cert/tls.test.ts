// A generated certificate serves TLS, and a client trusting it as its own CA (as `loadtest --ca`
// will) verifies the host names in its SAN and refuses others.
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificate, type GeneratedCertificate } from '../../../src/cert/index.js';

let gen: GeneratedCertificate;
let server: Server;
let port: number;

beforeAll(async () => {
  gen = generateCertificate({ cn: 'albctl', san: ['app.example.test', '127.0.0.1'], days: 365, bits: 2048 });
  server = createServer({ key: gen.privateKeyPem, cert: gen.certificatePem }, (socket) => socket.end('hello'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function handshake(opts: { servername?: string; ca?: string }): Promise<{ authorized: boolean; data: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...opts });
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('end', () => resolve({ authorized: socket.authorized, data }));
    socket.on('error', reject);
  });
}

describe('TLS with a generated certificate', () => {
  it('verifies for a DNS name in the SAN', async () => {
    await expect(handshake({ ca: gen.certificatePem, servername: 'app.example.test' })).resolves.toEqual({ authorized: true, data: 'hello' });
  });

  it('verifies for an IP address in the SAN', async () => {
    await expect(handshake({ ca: gen.certificatePem })).resolves.toMatchObject({ authorized: true });
  });

  it('fails for a host name not in the SAN', async () => {
    await expect(handshake({ ca: gen.certificatePem, servername: 'other.example.test' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('fails without trusting it', async () => {
    await expect(handshake({ servername: 'app.example.test' })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});
