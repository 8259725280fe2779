import { DATABASE_DEFAULTS } from "../modules/database/variables";

/**
 * The connection secrets the two stacks write, as config/prod.json and config/dev.json name them
 * (`connectionSecret.name`, `connectionSecret.seederName`), for the help text and the hints; a
 * test checks them against the files. The seeder's default is the application's secret, but
 * pipelines pass the seeder's: its user also has dbAdmin, which replacing a validator (collMod)
 * needs.
 */
export const STACK_SECRET_IDS = {
  app: { prod: DATABASE_DEFAULTS.connectionSecretName, dev: "audio-pipeline-dev/mongodb-uri" },
  seeder: { prod: DATABASE_DEFAULTS.seederSecretName, dev: "audio-pipeline-dev/mongodb-seed-uri" },
} as const;

/** The seeder's secret in words, for hints. */
export const SEEDER_SECRET = `the seeder's secret (stack output seeder_secret_name: ${STACK_SECRET_IDS.seeder.prod}, dev ${STACK_SECRET_IDS.seeder.dev})`;

/** The application's secret in words, for hints. */
export const APP_SECRET = `the application's (${STACK_SECRET_IDS.app.prod}, dev ${STACK_SECRET_IDS.app.dev})`;
