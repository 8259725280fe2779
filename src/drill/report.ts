import type { CollectionCount, CountTolerance } from "./counts";

/*
 * The drill's record of one run: written as JSON (drill-report-<env>.json) and as the job
 * summary. RTO is the restore's duration (restore job requested -> Atlas finished it); RPO is the
 * age of the restored point when the restore was requested (the data a restore at that moment
 * would have lost).
 */

export type DrillOutcome = "succeeded" | "failed" | "timed-out" | "cancelled" | "refused";

export type RestorePoint =
  | { readonly kind: "snapshot"; readonly snapshotId: string; readonly at: string }
  | { readonly kind: "pointInTime"; readonly at: string };

export interface DrillReport {
  environment: string;
  runId: string;
  outcome: DrillOutcome;
  projectId?: string;
  sourceCluster: string;
  drillCluster: string;
  tier?: string;
  encryptionAtRestProvider?: string;
  restorePoint?: RestorePoint;
  restoreJobId?: string;
  times: {
    startedAt: string;
    clusterReadyAt?: string;
    restoreRequestedAt?: string;
    restoreFinishedAt?: string;
    verifiedAt?: string;
    deletedAt?: string;
    finishedAt?: string;
  };
  rtoSeconds?: number;
  rpoSeconds?: number;
  verification: {
    skipped: boolean;
    passed?: boolean;
    seedPlanExitCode?: number;
    seedPlanOutput?: string[];
    counts?: CollectionCount[];
    tolerance?: CountTolerance;
  };
  failure?: { step: string; message: string };
  cleanup: {
    /** This run created a cluster. */
    created?: boolean;
    /** Everything this run created is confirmed gone (true when it created nothing). */
    confirmedGone?: boolean;
    error?: string;
    /** Clusters of crashed drills this run deleted. */
    leftoversRemoved: string[];
  };
}

/** Process exit code: the clean-up's failure first (a cluster may still bill), then the outcome. */
export const DRILL_EXIT = { succeeded: 0, failed: 1, "timed-out": 1, refused: 2, cleanupFailed: 3, cancelled: 130 } as const;

export function exitCodeOf(report: DrillReport): number {
  if (report.cleanup.confirmedGone === false) return DRILL_EXIT.cleanupFailed;
  return DRILL_EXIT[report.outcome];
}

function duration(seconds: number | undefined): string {
  if (seconds === undefined) return "not measured";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${seconds} s (${h > 0 ? `${h} h ` : ""}${m} min ${s} s)`;
}

/** Markdown for $GITHUB_STEP_SUMMARY. */
export function summaryMarkdown(report: DrillReport): string {
  const lines = [
    `## Restore drill: ${report.environment}: ${report.outcome}`,
    "",
    "| | |",
    "|---|---|",
    `| RTO (restore duration) | ${duration(report.rtoSeconds)} |`,
    `| RPO (age of the restored point) | ${duration(report.rpoSeconds)} |`,
    `| restored | ${report.restorePoint ? `${report.restorePoint.kind === "snapshot" ? `snapshot ${report.restorePoint.snapshotId}` : "point in time"} ${report.restorePoint.at}` : "nothing"} |`,
    `| source -> drill cluster | ${report.sourceCluster} -> ${report.drillCluster} (${report.tier ?? "not created"}, encryption at rest ${report.encryptionAtRestProvider ?? "-"}) |`,
    `| verification | ${report.verification.skipped ? "skipped (--no-verify)" : report.verification.passed === undefined ? "not reached" : report.verification.passed ? "passed" : "FAILED"} |`,
    `| clean-up | ${report.cleanup.confirmedGone === false ? `FAILED: ${report.cleanup.error}` : report.cleanup.created ? "drill cluster deleted and confirmed gone" : "nothing created"}${report.cleanup.leftoversRemoved.length > 0 ? `; removed leftovers ${report.cleanup.leftoversRemoved.join(", ")}` : ""} |`,
  ];
  if (report.failure) lines.push(`| failure | ${report.failure.step}: ${report.failure.message.replace(/\|/g, "\\|")} |`);
  if (report.verification.counts) {
    lines.push("", "| collection | source (now) | restored | allowed difference | |", "|---|---:|---:|---:|---|");
    for (const count of report.verification.counts) {
      lines.push(`| ${count.collection} | ${count.source} | ${count.restored ?? "missing"} | ${count.allowedDifference} | ${count.ok ? "ok" : "**out of tolerance**"} |`);
    }
  }
  return `${lines.join("\n")}\n`;
}
