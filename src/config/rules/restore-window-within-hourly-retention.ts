import { z } from "zod";
import { backupSection } from "../environment-schema";
import { defineRule } from "./config-rule";

/**
 * Atlas: "You can't configure a restore window that is longer than the Hourly Snapshot
 * Retention Time" (docs, configure backup policy). Checked here so the mistake fails at synth
 * rather than half-way through an apply.
 */
export const restoreWindowWithinHourlyRetention = defineRule({
  id: "restore-window-within-hourly-retention",
  reads: z.looseObject({
    backup: backupSection
      .pick({ pointInTimeRestore: true, restoreWindowDays: true, hourlyRetentionDays: true })
      .loose()
      .prefault({}),
  }),
  check({ backup }) {
    if (!backup.pointInTimeRestore || backup.restoreWindowDays <= backup.hourlyRetentionDays) return [];
    return [
      {
        path: ["backup", "restoreWindowDays"],
        value: backup.restoreWindowDays,
        message: `longer than backup.hourlyRetentionDays (${backup.hourlyRetentionDays}); Atlas needs hourly snapshots kept at least as long as the restore window, so raise hourlyRetentionDays or shorten the window`,
      },
    ];
  },
});
