import { z } from "zod";
import { ATLAS_AWS_REGION_NAMES, atlasRegionName } from "../../atlas/regions";
import { POLICY_SNAPSHOT_FREQUENCIES } from "../../atlas/snapshot-frequencies";
import { DATABASE_DEFAULTS } from "../../modules/database/variables";
import type { ConfigIssue } from "../config-issue";
import { backupSection } from "../environment-schema";
import * as field from "../fields";
import { defineRule } from "./config-rule";

const POLICY_KINDS: readonly string[] = POLICY_SNAPSHOT_FREQUENCIES;

/**
 * Snapshot copies (`copy_settings`) are only worth having where Atlas can put them and where the
 * cluster is not: each entry of backup.copyToRegions must be an Atlas AWS region name, other than
 * the cluster's own region (a copy beside the original survives no regional outage), listed once;
 * and each of backup.copyFrequencies must be a snapshot kind the policy takes (Atlas rejects a
 * copy setting for a kind without a policy item).
 */
export const snapshotCopyRegions = defineRule({
  id: "snapshot-copy-regions",
  reads: z.looseObject({
    region: field.awsRegion.default(DATABASE_DEFAULTS.region),
    backup: backupSection.pick({ copyToRegions: true, copyFrequencies: true }).loose().prefault({}),
  }),
  check({ region, backup }) {
    const own = atlasRegionName(region);
    const issues: ConfigIssue[] = backup.copyToRegions.flatMap((name, index): ConfigIssue[] => {
      const path = ["backup", "copyToRegions", index];
      if (!ATLAS_AWS_REGION_NAMES.includes(name)) {
        const spelled = ATLAS_AWS_REGION_NAMES.find((known) => known === name.toUpperCase().replace(/-/g, "_"));
        const hint = spelled ? ` (write ${JSON.stringify(spelled)}: Atlas spells regions in upper case with underscores)` : "";
        return [{ path, value: name, message: `not an Atlas AWS region name${hint}; allowed: ${ATLAS_AWS_REGION_NAMES.join(", ")}` }];
      }
      if (name === own) {
        return [
          {
            path,
            value: name,
            message: `is the cluster's own region (region "${region}"), where the snapshots already are; allowed: another Atlas AWS region, so a copy survives an outage of ${own}`,
          },
        ];
      }
      if (backup.copyToRegions.indexOf(name) !== index) {
        return [{ path, value: name, message: "is listed twice; allowed: each region once" }];
      }
      return [];
    });
    backup.copyFrequencies.forEach((kind, index) => {
      if (POLICY_KINDS.includes(kind)) return;
      issues.push({
        path: ["backup", "copyFrequencies", index],
        value: kind,
        message: `the backup policy takes no ${kind} snapshots, so there is nothing to copy; allowed: ${POLICY_SNAPSHOT_FREQUENCIES.join(", ")}`,
      });
    });
    return issues;
  },
});
