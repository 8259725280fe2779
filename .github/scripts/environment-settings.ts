/*
 * Prints the settings a CI job needs from one environment file, as `name=value` lines for
 * $GITHUB_OUTPUT: the AWS region and the connection secret's name. They come from the validated
 * config (defaults applied), so the workflow never repeats a value that config/<env>.json owns.
 *
 *   npx tsx .github/scripts/environment-settings.ts <environment> [config-dir] >> "$GITHUB_OUTPUT"
 */
import { loadEnvironments } from "../../src/config/load-environment";

export interface EnvironmentSettings {
  readonly stack: string;
  readonly region: string;
  readonly secretId: string;
}

export function environmentSettings(environment: string, configDir = "config"): EnvironmentSettings {
  const found = loadEnvironments(configDir).find(({ config }) => config.environment === environment);
  if (!found) throw new Error(`no environment "${environment}" in ${configDir}/`);
  return { stack: `audio-pipeline-${environment}`, region: found.config.region, secretId: found.config.connectionSecret.name };
}

function main(argv: readonly string[]): number {
  const [environment, configDir] = argv;
  if (!environment) {
    process.stderr.write("usage: environment-settings.ts <environment> [config-dir]\n");
    return 1;
  }
  const settings = environmentSettings(environment, configDir);
  process.stdout.write(`stack=${settings.stack}\nregion=${settings.region}\nsecret_id=${settings.secretId}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
