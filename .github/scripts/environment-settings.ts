/*
 * Prints the settings the seed jobs need from one environment file, as `name=value` lines for
 * $GITHUB_OUTPUT: the AWS region and the name of the seeder's connection secret. They come from the
 * validated config (defaults applied), so the workflow never repeats a value that config/<env>.json
 * owns. Pipelines seed with the seeder's secret (`connectionSecret.seederName`): its user has
 * dbAdmin on the database and can replace validators (collMod); the application's user
 * (`connectionSecret.name`) cannot, on purpose. Only what a workflow reads is printed.
 *
 *   npx tsx .github/scripts/environment-settings.ts <environment> [config-dir] >> "$GITHUB_OUTPUT"
 */
import { loadEnvironments } from "../../src/config/load-environment";

export interface EnvironmentSettings {
  readonly region: string;
  /** The seeder's connection secret (readWrite + dbAdmin user): what pipelines seed with. */
  readonly seedSecretId: string;
}

export function environmentSettings(environment: string, configDir = "config"): EnvironmentSettings {
  const found = loadEnvironments(configDir).find(({ config }) => config.environment === environment);
  if (!found) throw new Error(`no environment "${environment}" in ${configDir}/`);
  const { region, connectionSecret } = found.config;
  return { region, seedSecretId: connectionSecret.seederName };
}

/** The `name=value` lines for $GITHUB_OUTPUT (`steps.<id>.outputs.<name>`). */
export function outputLines(settings: EnvironmentSettings): string[] {
  return [`region=${settings.region}`, `seed_secret_id=${settings.seedSecretId}`];
}

function main(argv: readonly string[]): number {
  const [environment, configDir] = argv;
  if (!environment) {
    process.stderr.write("usage: environment-settings.ts <environment> [config-dir]\n");
    return 1;
  }
  process.stdout.write(`${outputLines(environmentSettings(environment, configDir)).join("\n")}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
