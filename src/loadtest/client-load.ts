// How busy this worker thread was over the measured run: event-loop utilisation, event-loop lag
// and CPU time. Says whether the client, not the server, limited the figures.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const LAG_RESOLUTION_MS = 10;

export interface ClientLoadFigures {
  eventLoopUtilization: number;
  /** ms */
  eventLoopLagP99: number;
  /** This thread's CPU time over the measurement, in ms, when Node can tell. */
  cpuMs: number | null;
}

export class ClientLoad {
  // Samples every LAG_RESOLUTION_MS; a sample is the time between two ticks, so the lag is the excess.
  private readonly lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  private eluStart: ReturnType<typeof performance.eventLoopUtilization> | null = null;
  private cpuStart: NodeJS.CpuUsage | null = null;
  private readonly threadCpu = (process as { threadCpuUsage?: (prev?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage;

  start(): void {
    this.lag.enable();
    this.eluStart = performance.eventLoopUtilization();
    this.cpuStart = this.threadCpu?.() ?? null;
  }

  stop(): ClientLoadFigures {
    this.lag.disable();
    const elu = this.eluStart === null ? 0 : performance.eventLoopUtilization(this.eluStart).utilization;
    let cpuMs: number | null = null;
    if (this.threadCpu !== undefined && this.cpuStart !== null) {
      const d = this.threadCpu(this.cpuStart);
      cpuMs = (d.user + d.system) / 1000;
    }
    const lagP99 = this.lag.count > 0 ? Math.max(0, this.lag.percentile(99) / 1e6 - LAG_RESOLUTION_MS) : 0;
    return { eventLoopUtilization: elu, eventLoopLagP99: lagP99, cpuMs };
  }
}
