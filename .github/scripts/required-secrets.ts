/*
 * Refuses, before Terraform runs, a job whose Atlas secrets arrived empty, naming each one and the
 * GitHub environment that must hold it. An empty secret is what GitHub gives for a secret that is
 * not set, or (some report) for environment secrets in a called workflow without
 * `secrets: inherit`: without this check, the provider would fail later with an authentication
 * error that names neither.
 *
 *   npx tsx .github/scripts/required-secrets.ts <environment> --github-environment <name> [--config-dir config]
 *
 * The step passes each secret in an environment variable of the secret's own name
 * (ATLAS_PUBLIC_API_KEY: ${{ secrets.ATLAS_PUBLIC_API_KEY }}); the values are only tested for
 * emptiness, never printed.
 */
import { parseArgs } from "node:util";
import { resolveEnvironments } from "../../src/environment/resolve";

/** The secrets every plan and deploy environment holds. */
export const ATLAS_SECRETS = ["ATLAS_PUBLIC_API_KEY", "ATLAS_PRIVATE_API_KEY", "ATLAS_ORG_ID"] as const;
/** Needed only when the environment file sets monitoring.atlasWebhookUrl. */
export const WEBHOOK_SECRET = "ATLAS_ALERT_WEBHOOK_SECRET";
export const ALL_SECRETS = [...ATLAS_SECRETS, WEBHOOK_SECRET] as const;

/** The secrets `environment` needs, by its environment file. */
export function requiredSecrets(environment: string, configDir = "config"): string[] {
  const found = resolveEnvironments(configDir).find(({ config }) => config.environment === environment);
  if (!found) throw new Error(`no environment "${environment}" in ${configDir}/`);
  return found.config.monitoring?.atlasWebhookUrl ? [...ATLAS_SECRETS, WEBHOOK_SECRET] : [...ATLAS_SECRETS];
}

/** The required secrets that are empty in `env`. */
export function emptySecrets(required: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return required.filter((name) => (env[name] ?? "").trim() === "");
}

/** The step's command line: `env` is the job's environment, `write` its stdout. */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (text) => process.stdout.write(text)): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { "github-environment": { type: "string" }, "config-dir": { type: "string", default: "config" } },
  });
  const [environment] = positionals;
  const githubEnvironment = values["github-environment"];
  if (!environment || !githubEnvironment) {
    process.stderr.write("usage: required-secrets.ts <environment> --github-environment <name> [--config-dir <dir>]\n");
    return 1;
  }
  const required = requiredSecrets(environment, values["config-dir"]);
  const empty = emptySecrets(required, env);
  for (const name of empty) {
    write(
      `::error title=Secret ${name} is empty::${name} reached this job empty: set it as a secret of the GitHub environment ${githubEnvironment} (Settings > Environments > ${githubEnvironment}; never as a repository secret). Nothing was planned or applied.\n`,
    );
  }
  if (empty.length === 0) write(`${githubEnvironment}: ${required.join(", ")} set\n`);
  return empty.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
