// One sample web server (src/webserver/app.py) per registered target, on a free loopback port,
// named after its instance and AZ, as user data runs it on an EC2 instance.
import type { ChildProcess } from 'node:child_process';
import { RuntimeError } from '../errors.js';
import { appPath } from '../webserver/user-data.js';
import { running, spawnChild, stopChild, waitForLine } from './processes.js';

export interface SampleServer {
  id: string;
  az: string;
  port: number;
  pid: number;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startSampleServer(opts: { id: string; az: string; python?: string; host?: string }): Promise<SampleServer> {
  const host = opts.host ?? '127.0.0.1';
  const python = opts.python ?? 'python3';
  // --port 0: the server picks a free port and names it on its one start-up line (no race).
  const { child } = spawnChild(python, [appPath(), '--host', host, '--port', '0', '--id', opts.id, '--az', opts.az]);
  let line: string;
  try {
    line = await waitForLine(child, /listening on http:\/\//, 15_000, `the sample server for ${opts.id}`);
  } catch (err) {
    await stopChild(child);
    throw new RuntimeError(`data plane: ${(err as Error).message}`, { cause: err });
  }
  const port = Number(/:(\d+) as /.exec(line)?.[1]);
  return serverOf(child, { id: opts.id, az: opts.az, port });
}

function serverOf(child: ChildProcess, o: { id: string; az: string; port: number }): SampleServer {
  return {
    ...o,
    pid: child.pid!,
    alive: () => running(child),
    stop: () => stopChild(child),
  };
}
