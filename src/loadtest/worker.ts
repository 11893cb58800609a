// One worker thread's share of a load test: its connections, its schedule, its histograms.
//
// Closed model (-c): each connection is a virtual user that sends its next request as soon as
// the previous one ends. Open model (-r): requests are due at evenly spaced intended times
// (this worker's slots interleave with the other workers'); a due request takes an idle
// connection, or waits for one. Its latency counts from the intended time (coordinated
// omission corrected) and, separately, from when it was actually sent.
import { parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Connection, type ConnectionHost } from './connection.js';
import { createHistogram, record, reset } from './histogram.js';
import {
  ERROR_KINDS,
  LATE_AFTER_MS,
  RUN_HISTOGRAM_BITS,
  SECOND_HISTOGRAM_BITS,
  type ErrorKind,
  type MainMessage,
  type Tick,
  type WorkerConfig,
  type WorkerMessage,
  type WorkerResult,
} from './protocol.js';
import { buildRequestTemplate } from './request.js';

/** Pause before a virtual user retries a connection that could not be made (closed model). */
const RECONNECT_PAUSE_MS = 10;
const LAG_RESOLUTION_MS = 10;

interface TargetCount {
  total: number;
  second: number;
}

export function runWorker(config: WorkerConfig, post: (m: WorkerMessage) => void): { start(at: number): void; stop(): void; ready: Promise<void> } {
  const o = config.options;
  const rateMode = config.rate !== null;
  const timeoutMs = o.timeout * 1000;
  const template = buildRequestTemplate(o);
  const readBuffer = Buffer.allocUnsafe(64 * 1024);

  // Measurement, in this thread's performance.now() clock.
  let measureStart = Infinity;
  let measureEnd = Infinity;
  let started = false;
  let finished = false;

  const latency = createHistogram(RUN_HISTOGRAM_BITS);
  const latencyUncorrected = rateMode ? createHistogram(RUN_HISTOGRAM_BITS) : null;
  const secondLatency = createHistogram(SECOND_HISTOGRAM_BITS);
  const statusCounts = new Float64Array(600);
  const errors = new Float64Array(ERROR_KINDS.length);
  const errorIndex = Object.fromEntries(ERROR_KINDS.map((k, i) => [k, i])) as Record<ErrorKind, number>;
  const errorSamples: Partial<Record<ErrorKind, string>> = {};
  const targets = new Map<string, TargetCount>();
  let lastTargetName: string | null = null;
  let lastTarget: TargetCount | null = null;
  let requests = 0;
  let ok = 0;
  let bytes = 0;
  let late = 0;
  // This second's counters.
  let second = 0;
  let secondEnd = Infinity;
  let secRequests = 0;
  let secOk = 0;
  let secErrors = 0;
  let secBytes = 0;

  // Schedule.
  let issued = 0; // measured requests sent
  const quota = config.requests;
  let nextSlot = 0; // open model: index of the next intended start
  let firstSlot = 0;
  let interval = 0;
  let wakeArmed = false;
  let drainDeadline = Infinity;
  let warmupSecond = 0;
  let inFlight = 0;

  // Samples every LAG_RESOLUTION_MS; a sample is the time between two ticks, so the lag is the excess.
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  let eluStart: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  let cpuStart: NodeJS.CpuUsage | null = null;
  const threadCpu = (process as { threadCpuUsage?: (prev?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage;

  const idle: Connection[] = [];
  const timers: Array<ReturnType<typeof setTimeout>> = [];

  const host: ConnectionHost = {
    received(n) {
      if (started) {
        bytes += n;
        secBytes += n;
      }
    },
    responded(conn, now) {
      inFlight--;
      if (conn.intendedAt >= measureStart && (rateMode || now <= measureEnd)) {
        if (now >= secondEnd) roll(now);
        const parser = conn.parser;
        const micros = (now - conn.intendedAt) * 1000;
        record(latency, micros);
        record(secondLatency, micros);
        if (latencyUncorrected !== null) record(latencyUncorrected, (now - conn.sentAt) * 1000);
        requests++;
        secRequests++;
        const status = parser.status;
        statusCounts[status]!++;
        if (status >= 200 && status < 300) {
          ok++;
          secOk++;
        }
        const name = parser.countValue;
        if (name !== null) {
          let t = lastTarget;
          if (name !== lastTargetName) {
            t = targets.get(name) ?? null;
            if (t === null) {
              t = { total: 0, second: 0 };
              targets.set(name, t);
            }
            lastTargetName = name;
            lastTarget = t;
          }
          t!.total++;
          t!.second++;
          if (conn.firstTarget === null) conn.firstTarget = name;
          else if (conn.firstTarget !== name) conn.sawOtherTarget = true;
        }
      }
      next(conn, now, false);
    },
    failed(conn, kind, message, now) {
      inFlight--;
      if (conn.intendedAt >= measureStart && (rateMode || now <= measureEnd)) {
        if (now >= secondEnd) roll(now);
        errors[errorIndex[kind]]!++;
        secErrors++;
        requests++;
        secRequests++;
        errorSamples[kind] ??= message;
      }
      next(conn, now, kind === 'refused' || kind === 'tls');
    },
  };

  const connections: Connection[] = [];
  for (let i = 0; i < config.connections; i++) {
    const a = config.addresses[(config.index + i * config.workers) % config.addresses.length]!;
    connections.push(
      new Connection(
        i,
        {
          secure: o.target.secure,
          address: a.address,
          family: a.family,
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
          template,
          readBuffer,
        },
        host,
      ),
    );
  }

  /** What a connection does after a response or an error. */
  function next(conn: Connection, now: number, couldNotConnect: boolean): void {
    if (finished) return;
    if (rateMode) {
      idle.push(conn);
      pump();
      return;
    }
    if (now >= measureEnd || (quota !== null && issued >= quota)) {
      maybeDone();
      return;
    }
    if (couldNotConnect) {
      // Without a pause a dead server turns the run into a connect loop. (Not kept in `timers`:
      // a long run against a dead server would pile them up; sendClosed checks `finished`.)
      setTimeout(() => sendClosed(conn, performance.now()), RECONNECT_PAUSE_MS);
      return;
    }
    sendClosed(conn, now);
  }

  function sendClosed(conn: Connection, now: number): void {
    if (finished) return;
    if (now >= measureEnd || (quota !== null && issued >= quota)) return maybeDone();
    if (now >= measureStart) issued++;
    inFlight++;
    conn.send(now, now);
  }

  /** Open model: send every request that is due, as long as connections are free. */
  function pump(): void {
    if (finished || !started) return;
    const now = performance.now();
    while (idle.length > 0) {
      const intended = firstSlot + nextSlot * interval;
      if (intended > now) break;
      if (intended >= measureEnd || (quota !== null && issued >= quota && intended >= measureStart)) {
        maybeDone();
        return;
      }
      const conn = idle.pop()!;
      nextSlot++;
      if (intended >= measureStart) {
        issued++;
        if (now - intended > LATE_AFTER_MS) late++;
      }
      inFlight++;
      conn.send(now, intended);
    }
    if (idle.length === 0 || wakeArmed) return;
    const due = firstSlot + nextSlot * interval;
    if (due >= measureEnd) return maybeDone();
    wakeArmed = true;
    // Timers have whole-millisecond resolution: requests due within the same millisecond leave
    // together, up to ~1 ms after their intended time (which their latency includes). Spinning
    // with setImmediate would be more precise but burns the core the server may need.
    setTimeout(wake, Math.max(1, Math.round(due - now)));
  }

  function wake(): void {
    wakeArmed = false;
    pump();
  }

  function maybeDone(): void {
    if (finished) return;
    if (!rateMode && measureEnd !== Infinity && performance.now() >= measureEnd) return finish();
    if (inFlight > 0) return;
    if (rateMode) {
      // Done when the schedule is exhausted and nothing is in flight.
      const due = firstSlot + nextSlot * interval;
      const more = due < measureEnd && (quota === null || issued < quota || due < measureStart);
      if (more) return;
    }
    finish();
  }

  function roll(now: number): void {
    while (now >= secondEnd) {
      flushSecond();
      second++;
      secondEnd += 1000;
    }
  }

  function flushSecond(): void {
    const tickTargets: Array<[string, number]> = [];
    for (const [name, t] of targets) {
      if (t.second > 0) tickTargets.push([name, t.second]);
      t.second = 0;
    }
    const tick: Tick = {
      type: 'tick',
      worker: config.index,
      second,
      requests: secRequests,
      ok: secOk,
      errors: secErrors,
      bytes: secBytes,
      latency: secondLatency,
      targets: tickTargets,
    };
    post(tick); // structured clone copies now, so the histogram can be reset after
    reset(secondLatency);
    secRequests = 0;
    secOk = 0;
    secErrors = 0;
    secBytes = 0;
  }

  function sweep(): void {
    if (finished) return;
    const now = performance.now();
    for (const c of connections) c.checkTimeout(now);
    if (now >= secondEnd) roll(now);
    if (!started) return;
    if (now < measureStart) {
      // Warmup progress: one tick per second with no latency.
      const w = Math.floor((now - measureStart) / 1000);
      if (w !== warmupSecond) {
        warmupSecond = w;
        post({ type: 'tick', worker: config.index, second: w, requests: 0, ok: 0, errors: 0, bytes: 0, latency: null, targets: [] });
      }
    }
    if (rateMode && now >= drainDeadline) {
      // Requests still in flight, or due but never sent: they waited longer than --timeout.
      let stuck = 0;
      for (const c of connections) if (c.busy && c.intendedAt >= measureStart) stuck++;
      const unsent = Math.max(0, Math.ceil((Math.min(measureEnd, now) - (firstSlot + nextSlot * interval)) / interval));
      const counted = stuck + (quota === null ? unsent : Math.min(unsent, Math.max(0, quota - issued)));
      errors[errorIndex.timeout]! += counted;
      requests += counted;
      secErrors += counted;
      secRequests += counted;
      if (counted > 0) errorSamples.timeout ??= `${counted} requests were still waiting for a response or a free connection ${Math.round(timeoutMs)} ms after the run ended`;
      finish();
    }
  }

  function finish(): void {
    if (finished) return;
    finished = true;
    const now = performance.now();
    if (measureEnd > now) measureEnd = now;
    for (const t of timers) clearTimeout(t);
    clearInterval(sweeper);
    for (const c of connections) c.close();
    if (now >= measureStart) {
      roll(Math.max(measureEnd, measureStart));
      if (secRequests > 0 || secondEnd - 1000 < measureEnd) flushSecond();
    }
    lag.disable();
    const elu = eluStart === null ? 0 : performance.eventLoopUtilization(eluStart).utilization;
    let cpuMs: number | null = null;
    if (threadCpu !== undefined && cpuStart !== null) {
      const d = threadCpu(cpuStart);
      cpuMs = (d.user + d.system) / 1000;
    }
    const statuses: Record<string, number> = {};
    statusCounts.forEach((n, code) => {
      if (n > 0) statuses[String(code)] = n;
    });
    const errorCounts = Object.fromEntries(ERROR_KINDS.map((k, i) => [k, errors[i]!])) as Record<ErrorKind, number>;
    let users = 0;
    let pinned = 0;
    for (const c of connections) {
      if (c.firstTarget === null) continue;
      users++;
      if (!c.sawOtherTarget) pinned++;
    }
    const result: WorkerResult = {
      type: 'done',
      worker: config.index,
      latency,
      latencyUncorrected,
      requests,
      ok,
      bytes,
      late,
      statusCodes: statuses,
      errors: errorCounts,
      errorSamples,
      targets: Object.fromEntries([...targets].map(([name, t]) => [name, t.total])),
      users,
      pinned,
      measuredFrom: performance.timeOrigin + measureStart,
      measuredTo: performance.timeOrigin + Math.max(measureStart, measureEnd),
      eventLoopUtilization: elu,
      eventLoopLagP99: lag.count > 0 ? Math.max(0, lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) : 0,
      cpuMs,
    };
    post(result);
  }

  const sweeper = setInterval(sweep, Math.max(5, Math.min(100, timeoutMs / 4)));

  /** At the end of warmup: from here on everything counts. */
  function startMeasuring(): void {
    secondEnd = measureStart + 1000;
    bytes = 0;
    secBytes = 0;
    lag.enable();
    eluStart = performance.eventLoopUtilization();
    cpuStart = threadCpu?.() ?? null;
  }

  /** When begin() is due (worker-local time). */
  let beginAt = 0;

  function begin(): void {
    started = true;
    // Timers have millisecond resolution and may fire up to 1 ms early: without the clamp the
    // first requests started "before" measureStart and went uncounted (against a server that never
    // answers, the first counted timeout came after twice --timeout).
    const now = Math.max(performance.now(), beginAt);
    if (measureStart <= now) startMeasuring();
    else timers.push(setTimeout(startMeasuring, measureStart - now));
    if (rateMode) {
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
      if (rateMode) {
        const workerRate = config.rate!;
        interval = 1000 / workerRate;
        // Worker k of n takes slots k, k+n, k+2n... of the whole run's evenly spaced schedule.
        firstSlot = local + (config.index * 1000) / (workerRate * config.workers);
        if (o.duration !== null) measureEnd = measureStart + o.duration * 1000;
        if (quota !== null) {
          const byCount = measureStart + quota * interval + interval;
          measureEnd = Math.min(measureEnd, byCount);
        }
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
  };
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
    });
    void worker.ready.then(() => post({ type: 'ready' }));
  } catch (err) {
    post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  }
}
