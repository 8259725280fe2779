import { DATABASE_DEFAULTS } from "../modules/database/variables";
import type { DerivedNames } from "./names";

/*
 * LEGACY NAMES: environments that were deployed before names were derived from the environment
 * (`audio-pipeline-<environment>`, names.ts) and keep the names they were created with.
 *
 * Renaming an Atlas project or a Secrets Manager secret replaces it: the plan would destroy prod's
 * secrets (and every client reading them by name) and re-create them empty. So prod's names are
 * written here, once, on purpose, rather than as values in config/prod.json that look like
 * redundant defaults and that a tidy-up could delete. An explicit value in the environment file
 * still wins over this table (a rename then shows as an explicit, reviewed change).
 *
 * Only ever remove an entry together with a migration (a new secret, clients moved, the old one
 * deleted): removing it alone renames the resources.
 */
export const LEGACY_NAMES: { readonly [environment: string]: Partial<DerivedNames> } = {
  // The story's names (story 1.4), which are also the database module's own defaults.
  prod: {
    atlasProject: DATABASE_DEFAULTS.atlas.projectName,
    appSecret: DATABASE_DEFAULTS.connectionSecret.name,
    seederSecret: DATABASE_DEFAULTS.connectionSecret.seederName,
  },
};
