import { parseArgs } from "node:util";
import { runDoctor } from "./doctor";

/*
 *   npm run doctor -- <environment> [--config-dir config]
 *
 * Read-only checks of a live set-up (AWS, GitHub, Atlas) with the caller's credentials; one line
 * per check; exit 1 when any fails. Never a stack trace: every failure is a line.
 */
async function main(argv: readonly string[]): Promise<number> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { "config-dir": { type: "string", default: "config" } } });
  if (positionals.length !== 1) {
    process.stderr.write("usage: npm run doctor -- <environment> [--config-dir <dir>]\n");
    return 2;
  }
  const result = await runDoctor({ environment: positionals[0], configDir: values["config-dir"] ?? "config", env: process.env });
  process.stdout.write(`${result.lines.join("\n")}\n`);
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stdout.write(`FAIL doctor: ${(error as Error).message.split("\n")[0]}\n`);
    process.exitCode = 1;
  },
);
