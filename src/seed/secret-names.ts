import { resolveEnvironments } from "../environment/resolve";
import { DATABASE_DEFAULTS } from "../modules/database/variables";

/*
 * The connection secrets the stacks write, by environment, as config/ resolves them (the seeder
 * runs from the project root, like every script): for the help text, the default --secret-id and
 * the hints. The seeder's default is the application's secret of the production environment, but
 * pipelines pass the seeder's: its user also has dbAdmin, which replacing a validator (collMod)
 * needs. Without a readable config/ the seeder still runs; the hints then name the stack output.
 */

interface SecretNames {
  /** The application's secret, by environment: production environments first, then the others in deploy order. */
  readonly app: Readonly<Record<string, string>>;
  /** The seeder's secret, by environment, in the same order. */
  readonly seeder: Readonly<Record<string, string>>;
}

function secretNamesOfConfig(): SecretNames {
  let environments: ReturnType<typeof resolveEnvironments>;
  try {
    environments = resolveEnvironments("config");
  } catch {
    return { app: {}, seeder: {} };
  }
  // Non-production ones by name, as the pipeline deploys them (without ci.deployAfter).
  const rank = ({ config }: (typeof environments)[number]) => `${config.production ? 0 : 1}:${config.environment}`;
  const ordered = [...environments].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
  return {
    app: Object.fromEntries(ordered.map(({ names }) => [names.environment, names.appSecret])),
    seeder: Object.fromEntries(ordered.map(({ names }) => [names.environment, names.seederSecret])),
  };
}

export const STACK_SECRET_IDS: SecretNames = secretNamesOfConfig();

/** The application's secret of the first production environment: the seeder's default --secret-id. */
export const DEFAULT_SECRET_ID = Object.values(STACK_SECRET_IDS.app)[0] ?? DATABASE_DEFAULTS.connectionSecret.name;

/**
 * The help and the hints quote two names of a kind: the first (production) environment's, and the
 * first other environment's as an example; each environment's is its stack's output, so the text
 * stays short however many environments config/ holds.
 */
function firstTwo(names: Readonly<Record<string, string>>): { readonly first?: string; readonly other?: readonly [environment: string, name: string] } {
  const [first, other] = Object.entries(names);
  return { first: first?.[1], other };
}

const seeder = firstTwo(STACK_SECRET_IDS.seeder);
const app = firstTwo(STACK_SECRET_IDS.app);

/** The seeder's secrets for the help text: `<production's> (<other>: <other's>)`. */
export const SEEDER_SECRETS_HELP =
  seeder.first === undefined ? "its stack output seeder_secret_name" : `${seeder.first}${seeder.other ? ` (${seeder.other[0]}: ${seeder.other[1]})` : ""}`;

/** The seeder's secret in words, for hints. */
export const SEEDER_SECRET = `the seeder's secret (stack output seeder_secret_name${seeder.first === undefined ? "" : `: ${seeder.first}`}${seeder.other ? `, ${seeder.other[0]} ${seeder.other[1]}` : ""})`;

/** The application's secret in words, for hints. */
export const APP_SECRET = `the application's (${app.first ?? "stack output connection_secret_name"}${app.other ? `, ${app.other[0]} ${app.other[1]}` : ""})`;
