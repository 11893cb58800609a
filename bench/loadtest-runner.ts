// Runs albctl's load generator from source and prints `loadtest --json` on stdout: what the
// benchmark uses when the built CLI has no loadtest command.
// node --experimental-transform-types bench/loadtest-runner.ts <url> <connections> <seconds> [ca]
import { registerHooks } from 'node:module';

// Sources import './x.js' (NodeNext); from source those files are './x.ts'.
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && /^\.{1,2}\/.*\.js$/.test(specifier)) {
        return next(`${specifier.slice(0, -3)}.ts`, context);
      }
      throw err;
    }
  },
});

const [url, connections, seconds, ca] = process.argv.slice(2);
const { parseLoadtestOptions, runLoadtest, toJson } = await import('../src/loadtest/index.js');
const options = parseLoadtestOptions({ connections, duration: seconds, ca }, url);
const result = await runLoadtest(options);
process.stdout.write(`${JSON.stringify({ ...toJson(result), workers: result.workers, eventLoopUtilization: result.client.eventLoopUtilization })}\n`);
