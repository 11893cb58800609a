// The directories albctl writes into. When albctl itself creates a `.albctl` directory it puts a
// `.gitignore` of `*` in it, so `git add -A` in an application's repository never picks up
// private.pem or a state file.
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const GITIGNORE = '*\n';

/**
 * mkdir -p; returns the first directory it had to create (as mkdir does), after writing the
 * `.gitignore` into a `.albctl` directory it created.
 */
export async function makeDir(dir: string, mode?: number): Promise<string | undefined> {
  const made = await mkdir(dir, { recursive: true, ...(mode !== undefined ? { mode } : {}) });
  if (made === undefined) return undefined;
  const albctlDir = createdAlbctlDir(path.resolve(made), path.resolve(dir));
  if (albctlDir) await writeFile(path.join(albctlDir, '.gitignore'), GITIGNORE, { flag: 'wx' }).catch(ignoreExists);
  return made;
}

/** The `.albctl` directory among those just created (from `made` down to `dir`), if any. */
function createdAlbctlDir(made: string, dir: string): string | undefined {
  for (let d = dir; d.length >= made.length; d = path.dirname(d)) {
    if (path.basename(d) === '.albctl') return d;
    if (d === path.dirname(d)) break;
  }
  return undefined;
}

function ignoreExists(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EEXIST') throw err;
}

/**
 * Remove a directory makeDir created when nothing but its own `.gitignore` is in it (a run that
 * wrote nothing leaves nothing). Quietly keeps anything else.
 */
export async function removeDirIfUnused(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return; // gone already
  }
  const ignore = path.join(dir, '.gitignore');
  const onlyIgnore = names.length === 1 && names[0] === '.gitignore';
  if (names.length > 0 && !onlyIgnore) return;
  if (onlyIgnore) await rm(ignore, { force: true });
  await rmdir(dir).catch(async () => {
    // Another run (another stack) wrote into it meanwhile: it keeps its .gitignore.
    if (onlyIgnore) await writeFile(ignore, GITIGNORE, { flag: 'wx' }).catch(() => undefined);
  });
}
