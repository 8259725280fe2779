import { z } from "zod";
import { backupSection } from "../environment-schema";
import { defineRule } from "./config-rule";

// A month is counted as 28 days so that this check never passes an order Atlas would refuse.
const DAYS_PER_UNIT = { days: 1, weeks: 7, months: 28 } as const;

/**
 * Atlas: "For less frequent policy items, MongoDB Cloud requires that you specify a value
 * greater than or equal to the value specified for more frequent policy items" (Admin API,
 * DiskBackupApiPolicyItem). Hourly <= daily <= weekly <= monthly retention.
 */
export const snapshotRetentionOrder = defineRule({
  id: "snapshot-retention-order",
  reads: z.looseObject({
    backup: backupSection
      .pick({ hourlyRetentionDays: true, dailyRetentionDays: true, weeklyRetentionWeeks: true, monthlyRetentionMonths: true })
      .loose()
      .prefault({}),
  }),
  check({ backup }) {
    const ladder = [
      { field: "hourlyRetentionDays", value: backup.hourlyRetentionDays, unit: "days" },
      { field: "dailyRetentionDays", value: backup.dailyRetentionDays, unit: "days" },
      { field: "weeklyRetentionWeeks", value: backup.weeklyRetentionWeeks, unit: "weeks" },
      { field: "monthlyRetentionMonths", value: backup.monthlyRetentionMonths, unit: "months" },
    ] as const;
    return ladder.slice(1).flatMap((item, index) => {
      const shorter = ladder[index];
      if (item.value * DAYS_PER_UNIT[item.unit] >= shorter.value * DAYS_PER_UNIT[shorter.unit]) return [];
      return [
        {
          path: ["backup", item.field],
          value: item.value,
          message: `is shorter than backup.${shorter.field} (${shorter.value} ${shorter.unit}); Atlas requires a less frequent snapshot to be kept at least as long as a more frequent one`,
        },
      ];
    });
  },
});
