// One worker thread's share of a load test: its connections and when each sends. What it counts
// lives in counters.ts (the run) and timeline.ts (the current second), the open model's schedule
// in schedule.ts, how busy the thread was in client-load.ts.
//
// Closed model (-c): each connection is a virtual user that sends its next request as soon as
// the previous one ends. Open model (-r): requests are due at evenly spaced intended times; a
// due request takes an idle connection, or waits for one. Its latency counts from the intended
// time (coordinated omission corrected) and, separately, from when it was actually sent.
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { ClientLoad } from './client-load.js';
import { Connection, hostPort, type ConnectionHost, type ConnectionSettings } from './connection.js';
import { Counters } from './counters.js';
import { UNREACHABLE_AFTER_MS, type Address, type MainMessage, type WorkerConfig, type WorkerMessage, type WorkerResult } from './protocol.js';
import { buildRequestTemplate } from './request.js';
import { endOf, OpenSchedule } from './schedule.js';
import { SecondTimeline } from './timeline.js';

/** Pause before a virtual user retries a connection that could not be made (closed model). */
const RECONNECT_PAUSE_MS = 10;

export interface WorkerHandle {
  ready: Promise<void>;
  start(at: number): void;
  stop(): void;
  setAddresses(addresses: Address[]): void;
}

export function runWorker(config: WorkerConfig, post: (m: WorkerMessage) => void): WorkerHandle {
  const o = config.options;
  const openModel = config.rate !== null;
  const timeoutMs = o.timeout * 1000;
  const quota = config.requests;

  // In this thread's performance.now() clock.
  let beginAt = 0;
  let measureStart = Infinity;
  let measureEnd = Infinity;
  let started = false;
  let finished = false;

  const counters = new Counters(openModel);
  const timeline = new SecondTimeline(config.index, counters.targets, post);
  const load = new ClientLoad();
  let schedule: OpenSchedule | null = null;

  let issued = 0; // closed model: measured requests sent
  let inFlight = 0;
  let wakeArmed = false;
  let drainDeadline = Infinity;
  const idle: Connection[] = [];
  const timers: Array<ReturnType<typeof setTimeout>> = [];

  let addresses = config.addresses;
  const connectedTo = new Set<string>();
  let connectedOnce = false;
  let firstConnectError: string | null = null;

  /**
   * A request counts when it started in the measured window and (closed model) ended in it. One
   * that ends after the closed model's end (the finish timer can fire late on a busy event loop)
   * was in flight when the run ended: unfinished, not dropped.
   */
  const measured = (conn: Connection, now: number): boolean => {
    if (conn.intendedAt < measureStart) return false;
    if (openModel || now <= measureEnd) return true;
    counters.unfinished++;
    return false;
  };

  const host: ConnectionHost = {
    received(n) {
      if (started) {
        counters.bytes += n;
        timeline.bytes += n;
      }
    },
    connected(conn) {
      connectedOnce = true;
      connectedTo.add(hostPort(conn.address, o.connect.port));
    },
    responded(conn, now) {
      inFlight--;
      if (measured(conn, now)) {
        timeline.roll(now);
        const parser = conn.parser;
        const micros = (now - conn.intendedAt) * 1000;
        counters.response(parser.status, micros, (now - conn.sentAt) * 1000);
        timeline.response(parser.status, micros);
        const name = parser.countValue;
        if (name !== null) {
          counters.targets.count(name);
          if (conn.firstTarget === null) conn.firstTarget = name;
          else if (conn.firstTarget !== name) conn.sawOtherTarget = true;
        }
      }
      next(conn, now, false);
    },
    failed(conn, kind, message, now) {
      inFlight--;
      const couldNotConnect = kind === 'refused' || kind === 'tls';
      if (couldNotConnect && !connectedOnce) firstConnectError ??= message;
      if (measured(conn, now)) {
        timeline.roll(now);
        counters.failure(kind, message, (now - conn.intendedAt) * 1000);
        timeline.failure();
      }
      next(conn, now, couldNotConnect);
    },
  };

  const settings = connectionSettings(config, timeoutMs);
  const connections: Connection[] = [];
  for (let i = 0; i < config.connections; i++) connections.push(new Connection(i, addressFor(i), settings, host));

  /** Connections are spread over the addresses, and over the workers' connections as a whole. */
  function addressFor(i: number): Address {
    return addresses[(config.index + i * config.workers) % addresses.length]!;
  }

  /** What a connection does after a response or an error. */
  function next(conn: Connection, now: number, couldNotConnect: boolean): void {
    if (finished) return;
    if (schedule !== null) {
      idle.push(conn);
      pump();
      return;
    }
    if (closedOver(now)) return finishIfIdle();
    if (couldNotConnect) {
      // Without a pause a dead server turns the run into a connect loop. (Not kept in `timers`:
      // a long run against a dead server would pile them up; sendClosed checks `finished`.)
      setTimeout(() => sendClosed(conn, performance.now()), RECONNECT_PAUSE_MS);
      return;
    }
    sendClosed(conn, now);
  }

  function closedOver(now: number): boolean {
    return now >= measureEnd || (quota !== null && issued >= quota);
  }

  function sendClosed(conn: Connection, now: number): void {
    if (finished) return;
    if (closedOver(now)) return finishIfIdle();
    if (now >= measureStart) issued++;
    inFlight++;
    conn.send(now, now);
  }

  /** Open model: send every request that is due, as long as connections are free. */
  function pump(): void {
    if (finished || !started || schedule === null) return;
    const now = performance.now();
    while (idle.length > 0) {
      const intended = schedule.take(now);
      if (intended === null) break;
      inFlight++;
      idle.pop()!.send(now, intended);
    }
    if (schedule.over()) return finishIfIdle();
    if (idle.length === 0 || wakeArmed) return;
    wakeArmed = true;
    // Timers have whole-millisecond resolution: requests due within the same millisecond leave
    // together, up to ~1 ms after their intended time (which their latency includes). Spinning
    // with setImmediate would be more precise but burns the core the server may need.
    setTimeout(wake, Math.max(1, Math.round(schedule.due() - now)));
  }

  function wake(): void {
    wakeArmed = false;
    pump();
  }

  /** The closed model ends at measureEnd; a -n run or the open model once nothing is in flight. */
  function finishIfIdle(): void {
    if (finished) return;
    if (schedule === null && measureEnd !== Infinity && performance.now() >= measureEnd) return finish();
    if (inFlight > 0) return;
    if (schedule !== null && !schedule.over()) return;
    finish();
  }

  function sweep(): void {
    if (finished) return;
    const now = performance.now();
    for (const c of connections) c.checkTimeout(now);
    timeline.roll(now);
    if (!started) return;
    if (now < measureStart) timeline.warmup(now, measureStart);
    if (!connectedOnce && firstConnectError !== null && now - beginAt >= UNREACHABLE_AFTER_MS) return finish();
    if (now >= drainDeadline) finish();
  }

  /** Requests in flight (and, open model, due but never sent) when the run ends. */
  function countTheRest(now: number): void {
    // The closed model ends at measureEnd, even when this runs late: in the timeline's last
    // measured second, and requests judged by how long they had waited then.
    const at = schedule !== null ? now : Math.min(now, measureEnd);
    timeline.roll(schedule !== null ? now : at - 0.001);
    let timeouts = 0;
    for (const c of connections) {
      if (!c.busy) continue;
      const end = endOf(c.intendedAt, at, measureStart, timeoutMs);
      if (end === 'timeout') {
        timeouts++;
        counters.failure('timeout', `no response within ${Math.round(timeoutMs)} ms`, (at - c.intendedAt) * 1000);
      } else if (end === 'unfinished') counters.unfinished++;
    }
    if (schedule !== null) {
      // Due but never sent, for want of a free connection: they waited past --timeout at the
      // drain deadline; when the run was stopped early they are unfinished.
      const unsent = schedule.unsent(now);
      if (now >= drainDeadline) {
        counters.failure('timeout', `${unsent} requests were still waiting for a free connection ${Math.round(timeoutMs)} ms after the run ended`, timeoutMs * 1000, unsent);
        timeouts += unsent;
      } else counters.unfinished += unsent;
    }
    timeline.failure(timeouts);
  }

  function finish(): void {
    if (finished) return;
    finished = true;
    const now = performance.now();
    if (measureEnd > now) measureEnd = now;
    for (const t of timers) clearTimeout(t);
    clearInterval(sweeper);
    if (now >= measureStart) countTheRest(now);
    for (const c of connections) c.close();
    if (now >= measureStart) {
      timeline.roll(Math.max(measureEnd, measureStart));
      if (timeline.requests > 0 || timeline.end - 1000 < measureEnd) timeline.flush();
    }
    post(result(now));
  }

  function result(now: number): WorkerResult {
    return {
      type: 'done',
      worker: config.index,
      latency: counters.latency,
      latencyUncorrected: counters.latencyUncorrected,
      failedLatency: counters.failedLatency,
      requests: counters.requests,
      unfinished: counters.unfinished,
      ok: counters.ok,
      bytes: counters.bytes,
      late: schedule?.late ?? 0,
      statusCodes: counters.statusCodes(),
      errors: counters.errorCounts(),
      errorSamples: counters.errorSamples(),
      targets: counters.targets.totals(),
      ...stickiness(connections),
      measuredFrom: performance.timeOrigin + Math.min(measureStart, now),
      measuredTo: performance.timeOrigin + Math.max(Math.min(measureStart, now), measureEnd),
      ...load.stop(),
      addresses: [...connectedTo].sort(),
      unreachable: connectedOnce ? null : firstConnectError,
    };
  }

  const sweeper = setInterval(sweep, Math.max(5, Math.min(100, timeoutMs / 4)));

  /** At the end of warmup: from here on everything counts. */
  function startMeasuring(): void {
    timeline.start(measureStart);
    counters.bytes = 0;
    load.start();
  }

  function begin(): void {
    started = true;
    // Timers have millisecond resolution and may fire up to 1 ms early: without the clamp the
    // first requests started "before" measureStart and went uncounted (against a server that never
    // answers, the first counted timeout came after twice --timeout).
    const now = Math.max(performance.now(), beginAt);
    if (measureStart <= now) startMeasuring();
    else timers.push(setTimeout(startMeasuring, measureStart - now));
    if (schedule !== null) {
      drainDeadline = measureEnd + timeoutMs;
      timers.push(setTimeout(() => pump(), Math.max(0, measureEnd - performance.now())));
      for (let i = connections.length - 1; i >= 0; i--) idle.push(connections[i]!);
      pump();
    } else {
      if (measureEnd !== Infinity) timers.push(setTimeout(finish, Math.max(0, measureEnd - now)));
      for (const c of connections) sendClosed(c, now);
    }
  }

  return {
    ready: Promise.all(connections.map((c) => c.preconnect())).then(() => undefined),
    start(at: number) {
      const local = at - performance.timeOrigin;
      beginAt = local;
      measureStart = local + o.warmup * 1000;
      if (openModel) {
        schedule = new OpenSchedule({
          // Worker k of n takes slots k, k+n, k+2n... of the whole run's evenly spaced schedule.
          first: local + (config.index * 1000) / (config.rate! * config.workers),
          rate: config.rate!,
          measureStart,
          duration: o.duration,
          quota,
        });
        measureEnd = schedule.measureEnd;
      } else if (o.duration !== null) {
        measureEnd = measureStart + o.duration * 1000;
      }
      timers.push(setTimeout(begin, Math.max(0, local - performance.now())));
    },
    stop() {
      if (!started) {
        started = true;
        measureStart = measureEnd = performance.now();
      }
      finish();
    },
    setAddresses(next: Address[]) {
      if (next.length === 0) return;
      addresses = next;
      // Open sockets stay where they are (as a browser's would); the next connect goes to the new set.
      connections.forEach((c, i) => {
        const a = addressFor(i);
        c.address = a.address;
        c.family = a.family;
      });
    },
  };
}

/** What every connection of a worker shares: one request template and one read buffer. */
function connectionSettings(config: WorkerConfig, timeoutMs: number): ConnectionSettings {
  const o = config.options;
  return {
    secure: o.target.secure,
    port: o.connect.port,
    servername: o.target.servername,
    verifyHost: o.target.hostname,
    host: o.target.hostname,
    path: o.target.path,
    ca: config.ca,
    insecure: o.insecure,
    timeoutMs,
    cookies: o.cookies,
    countHeader: o.countHeader,
    template: buildRequestTemplate(o),
    // Each read is parsed before the next, so every socket of the thread can read into one buffer.
    readBuffer: Buffer.allocUnsafe(64 * 1024),
  };
}

/** Virtual users that got a response carrying the count header, and those that saw a single target. */
function stickiness(connections: Connection[]): { users: number; pinned: number } {
  let users = 0;
  let pinned = 0;
  for (const c of connections) {
    if (c.firstTarget === null) continue;
    users++;
    if (!c.sawOtherTarget) pinned++;
  }
  return { users, pinned };
}

// As a worker thread: take the config, connect, report ready, run on 'start'.
if (parentPort !== null && (workerData as { albctlLoadtest?: boolean } | null)?.albctlLoadtest === true) {
  const port = parentPort;
  const config = (workerData as { config: WorkerConfig }).config;
  const post = (m: WorkerMessage): void => port.postMessage(m);
  try {
    const worker = runWorker(config, post);
    port.on('message', (m: MainMessage) => {
      if (m.type === 'start') worker.start(m.at);
      else if (m.type === 'stop') worker.stop();
      else if (m.type === 'addresses') worker.setAddresses(m.addresses);
    });
    void worker.ready.then(() => post({ type: 'ready' }));
  } catch (err) {
    post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  }
}
