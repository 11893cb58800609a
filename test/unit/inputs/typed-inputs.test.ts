// The inputs' keys and types come from the question definitions: a misspelled key or a wrong type
// in a step is a compile error. Each case compiles a small file against src/ with the project's
// compiler options and expects the error (and the well-formed file compiles clean).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../support/moto.js';

let dir = '';
const src = (p: string) => JSON.stringify(path.join(repoRoot, 'src', p));
const header = `
import type { Ctx } from ${src('engine/context.js')};
import { port } from ${src('inputs/parse.js')};
import { question } from ${src('inputs/question.js')};
declare const ctx: Ctx;
`;

/** Every case in one program (one type-check of src/): the diagnostics of each case's file. */
async function compile(cases: Record<string, string>): Promise<Record<string, string[]>> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(repoRoot, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const files = Object.keys(cases).map((name) => path.join(dir, `${name}.ts`));
  await Promise.all(Object.entries(cases).map(([name, body]) => writeFile(path.join(dir, `${name}.ts`), header + body)));
  // The cases live in a temporary directory, outside the repository's root directory.
  const program = ts.createProgram(files, { ...config.options, noEmit: true, rootDir: path.parse(dir).root });
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(cases)) {
    const file = program.getSourceFile(path.join(dir, `${name}.ts`))!;
    out[name] = ts.getPreEmitDiagnostics(program, file).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  }
  return out;
}

let results: Record<string, string[]> = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'albctl-typed-inputs-'));
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module" }');
  results = await compile({
    ok: `
      const p: number = ctx.inputs.targetPort;
      const s: boolean = ctx.inputs.sticky;
      const v: number | undefined = ctx.inputs.volumeSize;
      const q = question({ key: 'k', flag: 'k', description: 'd', parse: port, default: () => 8080 });
      export { p, s, v, q };`,
    misspelled: `export const p = ctx.inputs.targetPrt;`,
    wrongType: `export const p: string = ctx.inputs.targetPort;`,
    maybeUndefined: `export const v: number = ctx.inputs.volumeSize;`,
    badDefault: `export const q = question({ key: 'k', flag: 'k', description: 'd', parse: port, default: () => '8080' });`,
    readOnly: `ctx.inputs.targetPort = 1;`,
  });
}, 120_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('typed inputs', () => {
  it('a well-formed use compiles', () => {
    expect(results.ok).toEqual([]);
  });

  it('a misspelled key is a compile error', () => {
    expect(results.misspelled!.join('\n')).toMatch(/Property 'targetPrt' does not exist/);
  });

  it('a wrong type is a compile error', () => {
    expect(results.wrongType!.join('\n')).toMatch(/Type 'number' is not assignable to type 'string'/);
  });

  it('a question without a default may be undefined, and the type says so', () => {
    expect(results.maybeUndefined!.join('\n')).toMatch(/'number \| undefined' is not assignable to type 'number'/);
  });

  it("a default must have the parser's type", () => {
    expect(results.badDefault!.join('\n')).toMatch(/Type 'string' is not assignable to type 'number'/);
  });

  it('steps cannot change the resolved inputs', () => {
    expect(results.readOnly!.join('\n')).toMatch(/read-only/);
  });
});
