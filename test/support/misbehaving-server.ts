// A loopback HTTP server that misbehaves in one chosen way, as its own process (so its work does
// not share an event loop with the test or the load generator):
//   node test/support/misbehaving-server.ts <kind>     prints the port on stdout, runs until killed
// Kinds: ok, close (Connection: close after every response), reset (RST on the first bytes),
// stall (accepts, never answers), garbage (bytes that are not HTTP), huge (a 10 GB body, streamed),
// endless-chunked (chunks forever), trickle (one byte of the response every 100 ms).
import net from 'node:net';

const kind = process.argv[2] ?? 'ok';
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Served-By: misbehaving\r\n\r\nok';
const chunk = Buffer.alloc(64 * 1024, 'x');

/** Write `make()` as fast as the client reads it, until the socket goes. */
function stream(socket: net.Socket, make: () => Buffer): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(make()));
  };
  socket.on('drain', pump);
  pump();
}

function onRequest(socket: net.Socket, handle: () => void): void {
  let buffered = '';
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('latin1');
    // One response per complete request head (no bodies are sent to us).
    for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
      buffered = buffered.slice(end + 4);
      handle();
    }
  });
}

const handlers: Record<string, (s: net.Socket) => void> = {
  ok: (s) => onRequest(s, () => s.write(OK)),
  close: (s) => onRequest(s, () => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok')),
  reset: (s) => s.once('data', () => s.resetAndDestroy()),
  stall: () => undefined,
  garbage: (s) => onRequest(s, () => s.write('\x00\xffgarbage, not HTTP at all\r\n\r\n\x16\x03\x01')),
  huge: (s) =>
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n');
      stream(s, () => chunk);
    }),
  'endless-chunked': (s) =>
    s.once('data', () => {
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]);
      stream(s, () => framed);
    }),
  trickle: (s) =>
    s.once('data', () => {
      let i = 0;
      const timer = setInterval(() => {
        if (s.destroyed || i >= OK.length) return clearInterval(timer);
        s.write(OK[i++]!);
      }, 100);
      s.on('close', () => clearInterval(timer));
    }),
};

const handler = handlers[kind];
if (!handler) {
  process.stderr.write(`unknown kind ${kind}: one of ${Object.keys(handlers).join(', ')}\n`);
  process.exit(2);
}
const server = net.createServer((socket) => {
  socket.on('error', () => undefined);
  handler(socket);
});
server.maxConnections = 20_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
  process.stdout.write(`${(server.address() as net.AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
