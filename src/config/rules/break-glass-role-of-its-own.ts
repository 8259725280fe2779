import type { ConfigIssue } from "../config-issue";
import { defineRule } from "./config-rule";
import { ROLE_FIELDS, ROLE_FIELDS_READ } from "./role-arns-belong-to-the-account";

/** The roles of one environment that must never administer its keys and secrets: every role field but the break-glass one. */
const WORKING_ROLES = ROLE_FIELDS.filter(([, field]) => field !== "breakGlassRoleArn");

/**
 * `ci.breakGlassRoleArn` is a role of its own: naming the application, seeder or plan role would
 * let a role that runs every day delete the secrets and re-policy the keys; naming the deploy
 * role would leave no second administrator at all.
 */
export const breakGlassRoleOfItsOwn = defineRule({
  id: "break-glass-role-of-its-own",
  reads: ROLE_FIELDS_READ,
  check(config): ConfigIssue[] {
    const breakGlass = config.ci?.breakGlassRoleArn;
    if (breakGlass === undefined) return [];
    const same = WORKING_ROLES.filter(([section, field]) => (config[section] as Record<string, string | undefined> | undefined)?.[field] === breakGlass);
    if (same.length === 0) return [];
    return [
      {
        path: ["ci", "breakGlassRoleArn"],
        value: breakGlass,
        message: `is also ${same.map(([section, field]) => `${section}.${field}`).join(", ")}; allowed: a break-glass administrator role of its own, which no job or application runs as`,
      },
    ];
  },
});
