/*
 * The check between the prod plan the approvers read (plan-prod) and the plan deploy-prod is about
 * to apply: .github/scripts/plan-changes.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { comparePlans, describeDifference, parseRecordedPlan, recordPlan, runCli, type RecordedPlan } from "../../.github/scripts/plan-changes";
import type { PlanAction } from "../../.github/scripts/plan-summary";
import { temporaryDirectory } from "../support/stacks";

/** A `cdktf diff --no-color` log (the shape CI prints) making these changes. */
function diffLog(changes: ReadonlyArray<readonly [address: string, action: PlanAction]>): string {
  const phrase: Record<PlanAction, string> = {
    create: "will be created",
    update: "will be updated in-place",
    replace: "must be replaced",
    destroy: "will be destroyed",
    read: "will be read during apply",
    move: "has moved to other.address",
    forget: "will no longer be managed by Terraform",
  };
  const count = (actions: PlanAction[]) => changes.filter(([, action]) => actions.includes(action)).length;
  const planLine =
    changes.length === 0
      ? "audio-pipeline-prod  No changes. Your infrastructure matches the configuration."
      : `          Plan: ${count(["create", "replace"])} to add, ${count(["update"])} to change, ${count(["destroy", "replace"])} to destroy.`;
  return [
    "audio-pipeline-prod  Terraform will perform the following actions:",
    ...changes.map(([address, action]) => `            # ${address} ${phrase[action]}`),
    planLine,
    "",
  ].join("\n");
}

const APPROVED_CHANGES = [
  ["mongodbatlas_alert_configuration.replication_lag", "update"],
  ["aws_cloudwatch_metric_alarm.endpoint_idle", "create"],
] as const;

const record = (changes: ReadonlyArray<readonly [string, PlanAction]>): RecordedPlan => recordPlan("audio-pipeline-prod", diffLog(changes));

describe("recordPlan", () => {
  it("keeps the plan line and each resource's action, sorted by address", () => {
    const recorded = record(APPROVED_CHANGES);
    expect(recorded.stack).toBe("audio-pipeline-prod");
    expect(recorded.planLine).toBe("Plan: 1 to add, 1 to change, 0 to destroy.");
    expect(recorded.changes).toEqual(
      [...APPROVED_CHANGES].sort(([a], [b]) => a.localeCompare(b)).map(([address, action]) => ({ address, action })),
    );
  });

  it("records a plan without changes", () => {
    expect(record([])).toEqual({ stack: "audio-pipeline-prod", planLine: "No changes.", changes: [] });
  });

  it("refuses a plan that failed or did not finish, so an empty change set never passes for an approved one", () => {
    expect(() => recordPlan("audio-pipeline-prod", "audio-pipeline-prod  Error: No value for required variable\n")).toThrow(/plan of audio-pipeline-prod failed/);
    expect(() => recordPlan("audio-pipeline-prod", "            # aws_kms_key.k will be created\n")).toThrow(/no plan line/);
  });
});

describe("comparePlans", () => {
  it("finds no difference when the same changes are listed in another order", () => {
    expect(comparePlans(record(APPROVED_CHANGES), record([...APPROVED_CHANGES].reverse()))).toBeUndefined();
    expect(comparePlans(record([]), record([]))).toBeUndefined();
  });

  it("reports a resource whose action changed, e.g. an update that became a replacement", () => {
    const current = record([["mongodbatlas_alert_configuration.replication_lag", "replace"], APPROVED_CHANGES[1]]);
    expect(comparePlans(record(APPROVED_CHANGES), current)?.changes).toEqual([
      { address: "mongodbatlas_alert_configuration.replication_lag", approved: "update", current: "replace" },
    ]);
  });

  it("reports a change that appeared and one that disappeared since the approval", () => {
    const current = record([APPROVED_CHANGES[0], ["mongodbatlas_advanced_cluster.cluster", "destroy"]]);
    expect(comparePlans(record(APPROVED_CHANGES), current)?.changes).toEqual([
      { address: "aws_cloudwatch_metric_alarm.endpoint_idle", approved: "create", current: undefined },
      { address: "mongodbatlas_advanced_cluster.cluster", approved: undefined, current: "destroy" },
    ]);
  });

  it("reports plan lines that differ even when the parsed changes agree (a line the parser missed)", () => {
    const approved = record(APPROVED_CHANGES);
    const current = { ...approved, planLine: "Plan: 2 to add, 1 to change, 0 to destroy." };
    expect(comparePlans(approved, current)).toEqual({ changes: [], planLine: { approved: approved.planLine, current: current.planLine } });
  });
});

describe("describeDifference", () => {
  it("says the plan changed since it was approved, lists each difference and asks for a re-run", () => {
    const message = describeDifference({
      changes: [
        { address: "mongodbatlas_advanced_cluster.cluster", approved: "update", current: "replace" },
        { address: "aws_kms_alias.alias", approved: undefined, current: "destroy" },
      ],
      planLine: { approved: "Plan: 0 to add, 1 to change, 0 to destroy.", current: "Plan: 1 to add, 0 to change, 2 to destroy." },
    });
    expect(message).toMatch(/^the plan changed since it was approved: /);
    expect(message).toContain("mongodbatlas_advanced_cluster.cluster: approved update, now replace");
    expect(message).toContain("aws_kms_alias.alias: approved no change, now destroy");
    expect(message).toContain('plan line: approved "Plan: 0 to add, 1 to change, 0 to destroy.", now "Plan: 1 to add, 0 to change, 2 to destroy."');
    expect(message).toMatch(/; re-run the workflow\b/);
  });
});

describe("plan-changes.ts record / check, as the workflow runs them", () => {
  let workspace: string;
  const write = (name: string, text: string) => {
    const file = path.join(workspace, name);
    fs.writeFileSync(file, text);
    return file;
  };
  beforeAll(() => {
    workspace = temporaryDirectory("plan-changes");
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it("passes the deploy when the fresh plan makes the approved changes, and stops it when not", () => {
    const approvedFile = path.join(workspace, "approved-plan", "audio-pipeline-prod.json");
    expect(runCli(["record", "audio-pipeline-prod", write("plan-prod.log", diffLog(APPROVED_CHANGES)), approvedFile]).code).toBe(0);
    expect(parseRecordedPlan(fs.readFileSync(approvedFile, "utf8"))).toEqual(record(APPROVED_CHANGES));

    const same = runCli(["check", "audio-pipeline-prod", approvedFile, write("same.log", diffLog([...APPROVED_CHANGES].reverse()))]);
    expect(same.code).toBe(0);

    const drifted = runCli(["check", "audio-pipeline-prod", approvedFile, write("drifted.log", diffLog([...APPROVED_CHANGES, ["mongodbatlas_advanced_cluster.cluster", "replace"]]))]);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout.join("\n")).toContain("the plan changed since it was approved: mongodbatlas_advanced_cluster.cluster: approved no change, now replace");
  });

  it("fails when the fresh plan failed, the artifact belongs to another stack, or is not a recorded plan", () => {
    const approvedFile = path.join(workspace, "dev.json");
    runCli(["record", "audio-pipeline-dev", write("dev.log", diffLog([])), approvedFile]);
    const good = write("good.log", diffLog([]));
    expect(runCli(["check", "audio-pipeline-prod", approvedFile, good]).stdout.join("\n")).toContain("records the plan of audio-pipeline-dev, not audio-pipeline-prod");
    expect(runCli(["check", "audio-pipeline-dev", approvedFile, write("failed.log", "Error: Unauthorized\n")]).code).toBe(1);
    expect(runCli(["check", "audio-pipeline-dev", write("junk.json", '{"changes": 3}'), good]).code).toBe(1);
    expect(runCli(["check", "audio-pipeline-dev"]).code).toBe(1);
  });
});
