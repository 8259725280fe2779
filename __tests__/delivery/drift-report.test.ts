/*
 * The nightly drift report's logic: drift (resource_drift, a seed-plan conflict) told apart from
 * pending changes; and one issue per environment kept in step against a loopback stand-in of the
 * GitHub REST API: opened on drift, updated while it lasts, closed once clean, left alone on error.
 */
import { classify, issueMarker, planFacts, renderReport, syncIssue, type DriftInputs } from "../../.github/scripts/drift-report";
import type { ShownPlan } from "../../.github/scripts/plan-digest";
import { SENSITIVE } from "../../.github/scripts/plan-values";
import { gitHubStandIn } from "./support/github-stand-in";

const clusterDrift = {
  address: "mongodbatlas_advanced_cluster.cluster",
  change: {
    actions: ["update"],
    before: { name: "audio-pipeline-dev", termination_protection_enabled: true, paused: false },
    after: { name: "audio-pipeline-dev", termination_protection_enabled: false, paused: false },
  },
};
// A sensitive attribute changed outside Terraform: its value must never leave the plan job.
const secretDrift = {
  address: "random_password.database_password",
  change: {
    actions: ["update"],
    before: { result: "hunter2-old", length: 32 },
    after: { result: "hunter2-new", length: 40 },
    before_sensitive: { result: true },
    after_sensitive: { result: true },
  },
};
const deletedOutside = { address: "aws_cloudwatch_metric_alarm.idle", change: { actions: ["delete"], before: { alarm_name: "x" }, after: null } };
const pendingChange = { address: "aws_kms_key.connection_secret_key", change: { actions: ["update"], before: { description: "a" }, after: { description: "b" } } };
const unchanged = { address: "aws_vpc_endpoint.atlas", change: { actions: ["no-op"], before: {}, after: {} } };

const plan = (parts: Partial<ShownPlan>): ShownPlan => ({ format_version: "1.2", resource_changes: [unchanged], ...parts });
interface Night {
  readonly environment?: string;
  readonly planExitCode?: number;
  /** undefined: the plan failed. */
  readonly plan?: ShownPlan | null;
  /** undefined: the seed job did not report. */
  readonly seedExitCode?: number | null;
}
const inputs = (night: Night): DriftInputs => {
  const environment = night.environment ?? "dev";
  const seedExitCode = night.seedExitCode === undefined ? 0 : night.seedExitCode;
  return {
    plan: planFacts(environment, `audio-pipeline-${environment}`, night.planExitCode ?? 0, night.plan === null ? undefined : (night.plan ?? plan({}))),
    seed: seedExitCode === null ? undefined : { environment, seedExitCode, seedOutput: "+ create index calls.by_created_at" },
    runUrl: "https://github.example/o/r/actions/runs/42",
  };
};

describe("drift report: drift apart from pending changes", () => {
  it("clean: no drift, nothing pending, the database as declared", () => {
    expect(classify(inputs({})).state).toBe("clean");
  });

  it("pending only: merged but not applied, or seed changes to apply, is not drift", () => {
    expect(classify(inputs({ planExitCode: 2, plan: plan({ resource_changes: [pendingChange] }) })).state).toBe("pending");
    expect(classify(inputs({ seedExitCode: 2 })).state).toBe("pending");
  });

  it("drift: resource_drift, even beside pending changes, or a seed-plan conflict", () => {
    const both = classify(inputs({ planExitCode: 2, plan: plan({ resource_drift: [clusterDrift, deletedOutside], resource_changes: [pendingChange] }) }));
    expect(both).toMatchObject({ state: "drift", pendingCount: 1 });
    expect(both.drift).toMatchObject([
      { address: "mongodbatlas_advanced_cluster.cluster", action: "update", attributes: ["termination_protection_enabled"] },
      { address: "aws_cloudwatch_metric_alarm.idle", action: "destroy", attributes: ["alarm_name"] },
    ]);
    expect(classify(inputs({ seedExitCode: 3 })).state).toBe("drift");
  });

  it("error: a failed plan or seed plan says nothing is known", () => {
    expect(classify(inputs({ planExitCode: 1, plan: null })).state).toBe("error");
    expect(classify(inputs({ seedExitCode: 1 })).state).toBe("error");
    expect(classify(inputs({ seedExitCode: null })).state).toBe("error");
  });

  it("carries values only as the approvers' summary prints them: sensitive ones masked, never the secret", () => {
    const facts = planFacts("dev", "audio-pipeline-dev", 2, plan({ resource_drift: [clusterDrift, secretDrift], resource_changes: [pendingChange] }));
    expect(JSON.stringify(facts)).not.toContain("hunter2");
    const [cluster, secret] = facts.drift!;
    expect(cluster.changes).toEqual([{ path: "termination_protection_enabled", before: "true", after: "false" }]);
    expect(secret.changes).toContainEqual({ path: "result", before: SENSITIVE, after: SENSITIVE });
    expect(secret.changes).toContainEqual({ path: "length", before: "32", after: "40" });
    expect(planFacts("dev", "audio-pipeline-dev", 1, plan({}))).toEqual({ environment: "dev", stack: "audio-pipeline-dev", planExitCode: 1 });
  });

  it("renders the two apart, with values as the approvers read them (sensitive masked), and the run link", () => {
    const report = renderReport(inputs({ planExitCode: 2, plan: plan({ resource_drift: [clusterDrift, secretDrift], resource_changes: [pendingChange] }) }));
    expect(report.markdown.startsWith(issueMarker("dev"))).toBe(true);
    expect(report.markdown).toContain("| update | `mongodbatlas_advanced_cluster.cluster` | `termination_protection_enabled` |");
    expect(report.markdown).toContain("termination_protection_enabled: true → false");
    expect(report.markdown).toContain(`result: ${SENSITIVE} → ${SENSITIVE}`);
    expect(report.markdown).toMatch(/#### Pending: merged to main, not applied yet\n\n#### `audio-pipeline-dev`: 0 to add, 1 to change, 0 to destroy/);
    expect(report.markdown).toContain('description: "a" → "b"');
    expect(report.markdown).toContain("Run: https://github.example/o/r/actions/runs/42");
    expect(report.markdown).not.toContain("hunter2");
  });
});

describe("drift report: one issue per environment", () => {
  it("opens it on drift (with the label), updates it while drift lasts, closes it once clean, per environment", async () => {
    const stand = await gitHubStandIn();
    try {
      const drifted = renderReport(inputs({ planExitCode: 2, plan: plan({ resource_drift: [clusterDrift] }) }));
      const prodDrifted = renderReport(inputs({ environment: "prod", seedExitCode: 3 }));
      expect(await syncIssue(stand.github, drifted, "run-1")).toEqual({ action: "opened", issue: 1 });
      expect(await syncIssue(stand.github, prodDrifted, "run-1")).toEqual({ action: "opened", issue: 2 });
      expect(stand.issues.map((i) => [i.title, i.labels])).toEqual([
        ["Drift in dev: changed outside Terraform", ["drift"]],
        ["Drift in prod: changed outside Terraform", ["drift"]],
      ]);

      const worse = renderReport(inputs({ planExitCode: 2, plan: plan({ resource_drift: [clusterDrift, deletedOutside] }) }));
      expect(await syncIssue(stand.github, worse, "run-2")).toEqual({ action: "updated", issue: 1 });
      expect(stand.issues[0].body).toContain("aws_cloudwatch_metric_alarm.idle");
      expect(stand.issues.length).toBe(2);

      // A failed plan knows nothing: the issue stays open and unchanged.
      const failed = renderReport(inputs({ planExitCode: 1, plan: null }));
      expect(await syncIssue(stand.github, failed, "run-3")).toEqual({ action: "none", issue: 1 });
      expect(stand.issues[0].state).toBe("open");

      // Clean (pending changes are not drift): closed with a comment naming the run; prod stays open.
      const pending = renderReport(inputs({ planExitCode: 2, plan: plan({ resource_changes: [pendingChange] }) }));
      expect(await syncIssue(stand.github, pending, "run-4")).toEqual({ action: "closed", issue: 1 });
      expect(stand.issues[0]).toMatchObject({ state: "closed", state_reason: "completed", comments: ["No drift any more in `dev` (run run-4). Closing."] });
      expect(stand.issues[1].state).toBe("open");
      expect(await syncIssue(stand.github, renderReport(inputs({})), "run-5")).toEqual({ action: "none" });
    } finally {
      await stand.stop();
    }
  });
});
