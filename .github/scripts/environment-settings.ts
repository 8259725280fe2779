/*
 * Prints the settings a CI job needs from one environment file, as `name=value` lines for
 * $GITHUB_OUTPUT: the AWS region and the names of the two connection secrets the stack writes. They
 * come from the validated config (defaults applied), so the workflow never repeats a value that
 * config/<env>.json owns. Pipelines seed with the seeder's secret (`connectionSecret.seederName`):
 * its user has dbAdmin on the database and can replace validators (collMod); the application's
 * user (`connectionSecret.name`) cannot, on purpose.
 *
 *   npx tsx .github/scripts/environment-settings.ts <environment> [config-dir] >> "$GITHUB_OUTPUT"
 */
import { loadEnvironments } from "../../src/config/load-environment";

export interface EnvironmentSettings {
  readonly stack: string;
  readonly region: string;
  /** The application's connection secret (readWrite user). */
  readonly appSecretId: string;
  /** The seeder's connection secret (readWrite + dbAdmin user): what pipelines seed with. */
  readonly seedSecretId: string;
}

export function environmentSettings(environment: string, configDir = "config"): EnvironmentSettings {
  const found = loadEnvironments(configDir).find(({ config }) => config.environment === environment);
  if (!found) throw new Error(`no environment "${environment}" in ${configDir}/`);
  const { region, connectionSecret } = found.config;
  return { stack: `audio-pipeline-${environment}`, region, appSecretId: connectionSecret.name, seedSecretId: connectionSecret.seederName };
}

function main(argv: readonly string[]): number {
  const [environment, configDir] = argv;
  if (!environment) {
    process.stderr.write("usage: environment-settings.ts <environment> [config-dir]\n");
    return 1;
  }
  const settings = environmentSettings(environment, configDir);
  const lines = [`stack=${settings.stack}`, `region=${settings.region}`, `app_secret_id=${settings.appSecretId}`, `seed_secret_id=${settings.seedSecretId}`];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
