// Atomic file replacement: write a temp file beside the target, fsync it, rename it over the
// target, fsync the directory. A kill at any moment leaves either the old file or the new one.
import { randomBytes } from 'node:crypto';
import { open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { makeDir } from './dir.js';
import { isAlive } from './lock.js';

export async function writeFileAtomic(file: string, data: string, mode = 0o600): Promise<void> {
  const dir = path.dirname(file);
  await makeDir(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(tmp, file);
  await fsyncDir(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // some filesystems refuse fsync on a directory; the rename is still atomic
  } finally {
    await handle.close();
  }
}

/**
 * The temp files (`.<name>.<pid>.<hex>.tmp`, as writeFileAtomic and src/cert name them) that a
 * writer killed before its rename left beside `file`: removed when their process is gone. A
 * certificate's may hold a private key.
 */
export async function removeStaleTemps(file: string): Promise<void> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name);
    if (!m || m[1] !== base || isAlive(Number(m[2]))) continue;
    await rm(path.join(dir, name), { force: true });
  }
}
