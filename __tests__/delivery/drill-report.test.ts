/*
 * After the drill: one issue per environment whose drill did not pass, opened or updated with the
 * summary, closed once a drill passes, left alone after a cancel (loopback GitHub stand-in).
 */
import { drillIssueMarker, drillIssueState, DRILL_ISSUES } from "../../.github/scripts/drill-report";
import { syncEnvironmentIssue } from "../../.github/scripts/github-issues";
import type { DrillReport } from "../../src/drill/report";
import { gitHubStandIn } from "./support/github-stand-in";

const report = (overrides: Partial<DrillReport>): DrillReport => ({
  environment: "prod",
  runId: "42-1",
  outcome: "succeeded",
  sourceCluster: "audio-pipeline-prod",
  drillCluster: "drill-42-1",
  tier: "M10",
  times: { startedAt: "2026-12-03T06:00:00.000Z" },
  rtoSeconds: 1260,
  rpoSeconds: 7200,
  verification: { skipped: false, passed: true },
  cleanup: { created: true, confirmedGone: true, leftoversRemoved: [] },
  ...overrides,
});

describe("drill report: what each outcome does to the environment's issue", () => {
  it("passed: clear; failed, timed out, refused or a clean-up that failed: open; cancelled: unknown", () => {
    const attention = (overrides: Partial<DrillReport>) => drillIssueState(report(overrides), "run").attention;
    expect(attention({})).toBe("clear");
    expect(attention({ outcome: "failed", failure: { step: "wait-restore", message: "restore job x failed" } })).toBe("open");
    expect(attention({ outcome: "timed-out" })).toBe("open");
    expect(attention({ outcome: "refused", failure: { step: "check", message: "NoCompletedSnapshot: ..." } })).toBe("open");
    expect(attention({ cleanup: { created: true, confirmedGone: false, error: "delete-cluster: 500", leftoversRemoved: [] } })).toBe("open");
    expect(attention({ outcome: "cancelled" })).toBe("unknown");
    expect(attention({ outcome: "cancelled", cleanup: { created: true, confirmedGone: false, leftoversRemoved: [] } })).toBe("open");
  });

  it("the body carries the marker, RTO, RPO, the failed step and where to look", () => {
    const { body } = drillIssueState(report({ outcome: "failed", failure: { step: "verify", message: "seed plan exited 3 (0 expected)" } }), "https://github.example/o/r/actions/runs/42");
    expect(body.startsWith(drillIssueMarker("prod"))).toBe(true);
    expect(body).toMatch(/RTO \(restore duration\) \| 1260 s \(21 min 0 s\)/);
    expect(body).toMatch(/\| failure \| verify: seed plan exited 3 \(0 expected\) \|/);
    expect(body).toMatch(/Run: https:\/\/github\.example\/o\/r\/actions\/runs\/42\. What to do with this result: docs\/operations\.md/);
  });

  it("opens, updates and closes one issue per environment", async () => {
    const stand = await gitHubStandIn();
    try {
      const failed = drillIssueState(report({ outcome: "failed", failure: { step: "wait-restore", message: "restore job x failed" } }), "run-1");
      expect(await syncEnvironmentIssue(stand.github, DRILL_ISSUES, failed, "run-1")).toEqual({ action: "opened", issue: 1 });
      expect(stand.issues[0]).toMatchObject({ title: "Restore drill of prod did not pass", labels: ["restore-drill"] });
      const again = drillIssueState(report({ outcome: "timed-out" }), "run-2");
      expect(await syncEnvironmentIssue(stand.github, DRILL_ISSUES, again, "run-2")).toEqual({ action: "updated", issue: 1 });
      expect(await syncEnvironmentIssue(stand.github, DRILL_ISSUES, drillIssueState(report({ outcome: "cancelled" }), "run-3"), "run-3")).toEqual({ action: "none", issue: 1 });
      expect(await syncEnvironmentIssue(stand.github, DRILL_ISSUES, drillIssueState(report({}), "run-4"), "run-4")).toEqual({ action: "closed", issue: 1 });
      expect(stand.issues[0]).toMatchObject({ state: "closed", comments: ["The restore drill of `prod` passed (run run-4). Closing."] });
    } finally {
      await stand.stop();
    }
  });
});
