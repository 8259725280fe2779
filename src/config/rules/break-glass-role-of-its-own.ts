import { z } from "zod";
import type { ConfigIssue } from "../config-issue";
import { defineRule } from "./config-rule";

const optionalString = z.string().optional();

/** The roles of one environment that must never administer its keys and secrets. */
const WORKING_ROLES = [
  ["database", "appRoleArn"],
  ["database", "seederRoleArn"],
  ["database", "nextAppRoleArn"],
  ["database", "nextSeederRoleArn"],
  ["ci", "planRoleArn"],
  ["ci", "deployRoleArn"],
  ["ci", "nextPlanRoleArn"],
  ["ci", "nextDeployRoleArn"],
] as const;

/**
 * `ci.breakGlassRoleArn` is a role of its own: naming the application, seeder or plan role would
 * let a role that runs every day delete the secrets and re-policy the keys; naming the deploy
 * role would leave no second administrator at all.
 */
export const breakGlassRoleOfItsOwn = defineRule({
  id: "break-glass-role-of-its-own",
  reads: z.looseObject({
    database: z.looseObject({ appRoleArn: optionalString, seederRoleArn: optionalString, nextAppRoleArn: optionalString, nextSeederRoleArn: optionalString }).optional(),
    ci: z
      .looseObject({ planRoleArn: optionalString, deployRoleArn: optionalString, nextPlanRoleArn: optionalString, nextDeployRoleArn: optionalString, breakGlassRoleArn: optionalString })
      .optional(),
  }),
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
