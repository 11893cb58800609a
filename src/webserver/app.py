#!/usr/bin/env python3
"""albctl sample web server: the course's Flask app, standard library only.

GET /status -> 200 "OK" (the target group's health check); 503 "failing" after
               SIGUSR1, until SIGUSR2 (to watch a load balancer take a target out)
GET /       -> 200, a page naming the instance id and availability zone,
               with the instance id in the X-Served-By header as well
Anything else is 404; HEAD works wherever GET does; other methods get 405.

The instance id and AZ come from IMDSv2, fetched once at startup; --id and --az
replace them (then IMDS is not asked), e.g. for local tests:

    python3 app.py --port 8081 --id a
    kill -USR1 <pid>    # /status answers 503 from now on: the target turns unhealthy
    kill -USR2 <pid>    # /status answers 200 again

Runs on Python 3.9 (Amazon Linux 2023's python3): no newer syntax here.
"""

import argparse
import html
import signal
import socket
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

IMDS_ENDPOINT = "http://169.254.169.254"
IMDS_TIMEOUT = 1.0
IMDS_ATTEMPTS = 3
# Longer than the ALB's default 60 s idle timeout, as AWS advises for targets: otherwise the
# target may close a connection the load balancer is about to reuse (a 502).
KEEPALIVE_TIMEOUT = 65
MAX_DISCARDED_BODY = 1 << 20


def imds_lookup(endpoint, want_id, want_az):
    """Ask IMDSv2 for what is wanted; returns (instance_id, az) with None for what failed."""
    # IMDS must never go through an HTTP proxy from the environment.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    base = endpoint.rstrip("/") + "/latest"
    last_error = None
    for attempt in range(IMDS_ATTEMPTS):
        if attempt:
            time.sleep(0.5 * attempt)
        try:
            put = urllib.request.Request(
                base + "/api/token",
                method="PUT",
                headers={"X-aws-ec2-metadata-token-ttl-seconds": "300"},
            )
            with opener.open(put, timeout=IMDS_TIMEOUT) as r:
                token = r.read().decode("ascii").strip()

            def get(path):
                req = urllib.request.Request(
                    base + "/meta-data/" + path,
                    headers={"X-aws-ec2-metadata-token": token},
                )
                with opener.open(req, timeout=IMDS_TIMEOUT) as r:
                    return r.read().decode("utf-8").strip()

            instance_id = get("instance-id") if want_id else None
            az = get("placement/availability-zone") if want_az else None
            return instance_id, az
        except (OSError, ValueError) as e:  # URLError, timeouts and HTTP errors are OSErrors
            last_error = e
    print("albctl-web: IMDS unreachable (%s); pass --id/--az to name this server" % last_error,
          file=sys.stderr, flush=True)
    return None, None


class Pages:
    """Every response body, made once: the hot path only writes bytes."""

    def __init__(self, instance_id, az):
        self.instance_id = instance_id
        self.az = az
        i, a = html.escape(instance_id), html.escape(az)
        self.index = (
            "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%s</title></head>\n"
            "<body><h1>Hello from %s</h1><p>Instance: %s<br>Availability zone: %s</p></body></html>\n"
            % (i, i, i, a)
        ).encode("utf-8")
        self.status = b"OK"
        self.failing = b"failing\n"
        self.not_found = b"Not Found\n"
        self.not_allowed = b"Method Not Allowed\n"
        # Header values must be latin-1; an odd --id must not break every response.
        self.served_by = instance_id.encode("latin-1", "replace").decode("latin-1")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every response carries Content-Length
    timeout = KEEPALIVE_TIMEOUT
    disable_nagle_algorithm = True
    wbufsize = 64 * 1024  # headers and body leave in one write (flushed after each request)
    pages = None  # type: Pages
    access_log = False
    # Set by SIGUSR1, cleared by SIGUSR2: the health check fails while the site still serves.
    health_failing = False

    def _discard_body(self):
        # A request body left unread would be parsed as the next request on this connection.
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() not in ("", "identity"):
            self.close_connection = True
            return
        if not length:
            return
        try:
            n = int(length)
        except ValueError:
            self.close_connection = True
            return
        if n < 0 or n > MAX_DISCARDED_BODY:
            self.close_connection = True
            return
        while n > 0:
            chunk = self.rfile.read(min(n, 65536))
            if not chunk:
                break
            n -= len(chunk)

    def _send(self, code, body, content_type, extra=(), head=False):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Served-By", self.pages.served_by)
        for name, value in extra:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        elif self.request_version == "HTTP/1.0":
            self.send_header("Connection", "keep-alive")  # ab -k and other HTTP/1.0 clients asked for it
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _route(self, head):
        self._discard_body()
        path = self.path.split("?", 1)[0]
        p = self.pages
        if path == "/status":
            if Handler.health_failing:
                self._send(503, p.failing, "text/plain; charset=utf-8", head=head)
            else:
                self._send(200, p.status, "text/plain; charset=utf-8", head=head)
        elif path == "/":
            self._send(200, p.index, "text/html; charset=utf-8", head=head)
        else:
            self._send(404, p.not_found, "text/plain; charset=utf-8", head=head)

    def do_GET(self):
        self._route(head=False)

    def do_HEAD(self):
        self._route(head=True)

    def _not_allowed(self):
        self._discard_body()
        path = self.path.split("?", 1)[0]
        if path in ("/", "/status"):
            self._send(405, self.pages.not_allowed, "text/plain; charset=utf-8",
                       extra=(("Allow", "GET, HEAD"),))
        else:
            self._send(404, self.pages.not_found, "text/plain; charset=utf-8")

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _not_allowed

    def version_string(self):
        return "albctl-web"

    def log_message(self, format, *args):
        if self.access_log:
            sys.stderr.write("%s - - [%s] %s\n" % (self.address_string(), self.log_date_time_string(), format % args))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog (5) drops SYNs as soon as a load test opens many connections.
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        # Clients (load generators, the ALB) reset connections: not worth a traceback.
        err = sys.exc_info()[1]
        if isinstance(err, (ConnectionError, socket.timeout, TimeoutError)):
            return
        super().handle_error(request, client_address)


class Server6(Server):
    address_family = socket.AF_INET6


def parse_args(argv):
    ap = argparse.ArgumentParser(description="albctl sample web server")
    ap.add_argument("--port", type=int, default=8080, help="TCP port (default 8080; 0 picks a free one)")
    ap.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    ap.add_argument("--id", help="instance id to report instead of asking IMDS")
    ap.add_argument("--az", help="availability zone to report instead of asking IMDS")
    ap.add_argument("--access-log", action="store_true", help="log every request on stderr")
    ap.add_argument("--imds-endpoint", default=IMDS_ENDPOINT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not 0 <= args.port <= 65535:
        ap.error("--port must be 0..65535 (got %d)" % args.port)
    return args


def set_health_failing(failing):
    Handler.health_failing = failing
    print("albctl-web: /status answers %s" % ("503 (SIGUSR1)" if failing else "200 (SIGUSR2)"), flush=True)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    instance_id, az = args.id, args.az
    if instance_id is None or az is None:
        found_id, found_az = imds_lookup(args.imds_endpoint, instance_id is None, az is None)
        instance_id = instance_id or found_id or socket.gethostname()
        az = az or found_az or "unknown"

    Handler.pages = Pages(instance_id, az)
    Handler.access_log = args.access_log
    server_class = Server6 if ":" in args.host else Server
    try:
        server = server_class((args.host, args.port), Handler)
    except OSError as e:
        print("albctl-web: cannot listen on %s:%d: %s" % (args.host, args.port, e), file=sys.stderr)
        return 1

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, which runs in this (the main) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if hasattr(signal, "SIGUSR1"):  # not on Windows
        signal.signal(signal.SIGUSR1, lambda signum, frame: set_health_failing(True))
        signal.signal(signal.SIGUSR2, lambda signum, frame: set_health_failing(False))

    host, port = server.server_address[:2]
    print("albctl-web: listening on http://%s:%d as %s in %s" % (host, port, instance_id, az), flush=True)
    try:
        server.serve_forever(poll_interval=0.25)
    finally:
        server.server_close()
    print("albctl-web: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
