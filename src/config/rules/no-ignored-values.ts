import { z } from "zod";
import { DATABASE_DEFAULTS } from "../../modules/database/variables";
import type { ConfigIssue } from "../config-issue";
import { defineRule } from "./config-rule";

/*
 * A value the stack would not use is refused rather than silently ignored: whoever wrote it
 * expects it to do something. Each entry names the field, when it is ignored, and what to change
 * instead. (atlas.tier under compute auto-scaling has a rule of its own.) The module README lists
 * these interactions.
 */

type Raw = Readonly<Record<string, unknown>>;

interface IgnoredValue {
  readonly field: readonly string[];
  /** True when the stack ignores the field in this file. */
  readonly ignoredWhen: (file: Raw) => boolean;
  /** Why, and what to do instead. */
  readonly message: string;
}

function at(file: Raw, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Raw)[key] : undefined), file);
}

const authentication = (file: Raw) => at(file, ["database", "authentication"]) ?? DATABASE_DEFAULTS.database.authentication;

export const IGNORED_VALUES: readonly IgnoredValue[] = [
  {
    field: ["backup", "restoreWindowDays"],
    ignoredWhen: (file) => at(file, ["backup", "pointInTimeRestore"]) === false,
    message: "is ignored while backup.pointInTimeRestore is false (there is no point-in-time window); allowed: remove it, or turn pointInTimeRestore on",
  },
  {
    field: ["backup", "copyFrequencies"],
    ignoredWhen: (file) => {
      const regions = at(file, ["backup", "copyToRegions"]);
      return !Array.isArray(regions) || regions.length === 0;
    },
    message: "is ignored while backup.copyToRegions is empty (no snapshot is copied); allowed: remove it, or list a region in copyToRegions",
  },
  {
    field: ["monitoring", "idlePeriods"],
    ignoredWhen: (file) => at(file, ["monitoring", "expectTraffic"]) === false,
    message: "is ignored while monitoring.expectTraffic is false (there is no idle alarm); allowed: remove it, or turn expectTraffic on",
  },
  {
    field: ["monitoring", "logRetentionDays"],
    ignoredWhen: (file) => at(file, ["monitoring", "logExport"]) === false,
    message: "is ignored while monitoring.logExport is false (there is no log bucket); allowed: remove it, or turn logExport on",
  },
  ...(["username", "seederUsername", "passwordVersion"] as const).map((name) => ({
    field: ["database", name],
    // While switching to aws-iam (step 1) the password users, and so these fields, still exist.
    ignoredWhen: (file: Raw) => authentication(file) === "aws-iam" && at(file, ["database", "retainPasswordUsers"]) !== true,
    message:
      'is ignored with database.authentication "aws-iam" (users are IAM roles, without name or password); allowed: remove it, or set authentication to "password" (or retainPasswordUsers to true while switching)',
  })),
  // appRoleArn and seederRoleArn are used in both modes: they are the only readers of the secrets.
  {
    field: ["database", "retainPasswordUsers"],
    ignoredWhen: (file: Raw) => authentication(file) === "password",
    message: 'is ignored with database.authentication "password" (the password users exist anyway); allowed: remove it, or set authentication to "aws-iam"',
  },
];

export const noIgnoredValues = defineRule({
  id: "no-ignored-values",
  reads: z.looseObject({}),
  check(file) {
    return IGNORED_VALUES.flatMap((entry): ConfigIssue[] => {
      const value = at(file, entry.field);
      if (value === undefined || !entry.ignoredWhen(file)) return [];
      return [{ path: [...entry.field], value, message: entry.message }];
    });
  },
});
