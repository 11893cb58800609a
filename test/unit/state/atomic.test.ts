// The debris a writer killed before its rename leaves, and who may sweep it.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeStaleTemps, writeFileAtomic } from '../../../src/state/atomic.js';
import { tempDir } from '../../support/harness.js';

describe('removeStaleTemps', () => {
  it("removes a dead process's temp files of that file only, and keeps a live process's", async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'albctl.json');
    await writeFileAtomic(file, '{}\n');
    const dead = '.albctl.json.999999.0badc0de.tmp';
    const live = `.albctl.json.${process.pid}.00c0ffee.tmp`;
    const other = '.other.json.999999.0badc0de.tmp';
    for (const n of [dead, live, other, 'notes.tmp']) await writeFile(path.join(dir, n), 'x');
    await removeStaleTemps(file);
    expect((await readdir(dir)).sort()).toEqual([live, other, 'albctl.json', 'notes.tmp'].sort());
  });

  it('is quiet when the directory does not exist', async () => {
    await expect(removeStaleTemps('/nonexistent/dir/albctl.json')).resolves.toBeUndefined();
  });
});
