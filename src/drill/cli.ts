import { realClock } from "./run";
import { main } from "./main";
import { mongoVerifier } from "./verify";

/*
 * Process wiring of `npm run drill`: SIGINT and SIGTERM (a cancelled or timed-out job) abort the
 * drill, which then deletes its cluster before exiting; a second signal is ignored so the
 * clean-up is not cut short by the runner's follow-up SIGTERM.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const cancel = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (!cancel.signal.aborted) process.stderr.write(`[drill] ${signal}: cancelling, then deleting what this drill created\n`);
    cancel.abort();
  });
}

main(process.argv.slice(2), {
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  clock: realClock,
  verifier: mongoVerifier,
  signal: cancel.signal,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
