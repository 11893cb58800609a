// A server that stalls periodically, for the open-model test: every `period` ms, starting when it
// starts, it holds every response for the first `stall` ms; a request that arrives in a stall is
// answered when the stall ends. Run: node test/support/stall-server.ts <port> <period> <stall>
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [port, period, stall] = process.argv.slice(2).map(Number) as [number, number, number];
const epoch = performance.now();
const body = Buffer.from('ok\n');

const server = http.createServer((req, res) => {
  const phase = (performance.now() - epoch) % period;
  const reply = (): void => {
    res.writeHead(200, { 'Content-Length': body.length, 'X-Served-By': 'stall' });
    res.end(body);
  };
  if (phase < stall) setTimeout(reply, stall - phase);
  else reply();
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
