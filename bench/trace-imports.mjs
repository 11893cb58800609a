// `node --import ./bench/trace-imports.mjs ...`: writes every module URL the program loads to
// $ALBCTL_TRACE_IMPORTS (one per line), so a test can prove `--help` never loads the AWS SDK.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
const out = process.env.ALBCTL_TRACE_IMPORTS;
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (out) appendFileSync(out, r.url + '\\n');
  return r;
}`),
);
