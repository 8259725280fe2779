/*
 * The restore drill against a loopback stand-in of the Atlas Admin API (support/atlas-stand-in.ts):
 * the happy path, each bad input (named, nothing created), a failure at each step (the cluster is
 * still deleted and confirmed gone), the time limit, a cancel, and the safety rules: only the
 * drill's own cluster is ever written, a second drill refuses while one runs, and a later drill
 * removes a crashed drill's leftovers and only those.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AtlasAdminClient, AtlasApiError } from "../../src/atlas-api/client";
import { environmentFiles } from "../../src/config/load-environment";
import { resolveEnvironment } from "../../src/environment/resolve";
import { compareCounts } from "../../src/drill/counts";
import { main, type DrillMainDeps } from "../../src/drill/main";
import { assertDrillTarget, drillRunIdOf } from "../../src/drill/ownership";
import { realClock, type DrillClock } from "../../src/drill/run";
import { smallestTierFor } from "../../src/drill/target-cluster";
import type { VerificationRequest, Verifier } from "../../src/drill/verify";
import { temporaryDirectory } from "../support/temporary-directory";
import { AtlasStandIn, PRIVATE_KEY, PUBLIC_KEY, type Call } from "./support/atlas-stand-in";

// dev's names as its file resolves them today (the stand-in serves them).
const DEV = resolveEnvironment("config/dev.json").names;
const SOURCE = DEV.atlasCluster;
const FAST = ["--poll-interval-ms", "5", "--timeout-ms", "5000", "--cleanup-timeout-ms", "5000"];

const passingVerifier: Verifier = async () => ({
  seedPlanExitCode: 0,
  seedPlanOutput: ["No changes. audio_pipeline matches the declared shape."],
  counts: compareCounts(["calls"], new Map([["calls", 1000]]), new Map([["calls", 990]]), { percent: 5, documents: 100 }),
});

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly report: any;
  readonly summary: string;
}

let standIn: AtlasStandIn;
let dir: string;

beforeEach(async () => {
  standIn = await new AtlasStandIn({ projectName: DEV.atlasProject, source: { name: SOURCE } }).start();
  dir = temporaryDirectory("drill");
});

afterEach(async () => {
  await standIn.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function drill(args: string[], options: { verifier?: Verifier; clock?: DrillClock; signal?: AbortSignal; env?: Record<string, string> } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const summaryFile = path.join(dir, "summary.md");
  const reportFile = path.join(dir, "report.json");
  const deps: DrillMainDeps = {
    env: {
      MONGODB_ATLAS_BASE_URL: standIn.url,
      MONGODB_ATLAS_PUBLIC_API_KEY: PUBLIC_KEY,
      MONGODB_ATLAS_PRIVATE_API_KEY: PRIVATE_KEY,
      GITHUB_STEP_SUMMARY: summaryFile,
      ...options.env,
    },
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    clock: options.clock ?? realClock,
    verifier: options.verifier ?? passingVerifier,
    signal: options.signal ?? new AbortController().signal,
    cwd: process.cwd(),
  };
  const code = await main([...args, "--report-file", reportFile], deps);
  return {
    code,
    out,
    err,
    report: fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, "utf8")) : undefined,
    summary: fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, "utf8") : "",
  };
}

/** Every write went to the drill's own cluster (or its user), never the environment's cluster. */
function expectOnlyOwnWrites(calls: Call[], runId: string) {
  const own = `drill-${runId}`;
  for (const call of calls.filter((c) => c.method !== "GET")) {
    if (call.method === "POST" && call.path.endsWith("/clusters")) expect(call.body.name).toBe(own);
    else if (call.path.endsWith("/restoreJobs")) expect(call.body.targetClusterName).toBe(own);
    else if (call.path.endsWith("/databaseUsers")) {
      expect(call.body.roles).toEqual([{ roleName: "read", databaseName: "audio_pipeline" }]);
      expect(call.body.scopes).toEqual([{ name: own, type: "CLUSTER" }, { name: SOURCE, type: "CLUSTER" }]);
    }
    else if (call.method === "DELETE" && call.path.includes("/clusters/")) expect(call.path.endsWith(`/clusters/${own}`)).toBe(true);
    else if (call.method === "DELETE") expect(call.path.endsWith(`/databaseUsers/admin/${own}-verify`)).toBe(true);
    else throw new Error(`unexpected write ${call.method} ${call.path}`);
  }
}

/** The drill cluster was deleted and the drill looked until Atlas said it was gone. */
function expectDeletedAndConfirmed(run: Run, runId: string) {
  const own = `drill-${runId}`;
  expect(standIn.clusters.has(own)).toBe(false);
  const deleteAt = standIn.calls.findIndex((c) => c.method === "DELETE" && c.path.endsWith(`/clusters/${own}`));
  expect(deleteAt).toBeGreaterThanOrEqual(0);
  expect(standIn.calls.slice(deleteAt + 1).some((c) => c.method === "GET" && c.path.endsWith(`/clusters/${own}`))).toBe(true);
  expect(run.report.cleanup.confirmedGone).toBe(true);
  expect(standIn.users.size).toBe(0);
}

describe("restore drill: a passing drill", () => {
  it("creates drill-<run id> like the source, restores the latest completed snapshot (not a fallback one), verifies, records RTO/RPO, deletes it and confirms", async () => {
    let request: VerificationRequest | undefined;
    const run = await drill(["dev", "--run-id", "t1", ...FAST], {
      verifier: async (r) => {
        request = r;
        return passingVerifier(r);
      },
    });
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);

    const create = standIn.calls.find((c) => c.method === "POST" && c.path.endsWith("/clusters"))!;
    expect(create.accept).toBe("application/vnd.atlas.2024-08-05+json");
    expect(create.body).toMatchObject({
      name: "drill-t1",
      clusterType: "REPLICASET",
      mongoDBMajorVersion: "7.0",
      backupEnabled: false,
      pitEnabled: false,
      terminationProtectionEnabled: false,
      encryptionAtRestProvider: "AWS",
      replicationSpecs: [{ regionConfigs: [{ providerName: "AWS", regionName: "US_EAST_1", electableSpecs: { instanceSize: "M10", nodeCount: 3, diskSizeGB: 10 } }] }],
    });
    expect(create.body.tags).toEqual(expect.arrayContaining([{ key: "purpose", value: "restore-drill" }, { key: "drill-run-id", value: "t1" }]));

    const restore = standIn.calls.find((c) => c.path.endsWith("/restoreJobs"))!;
    expect(restore.path).toBe(`/api/atlas/v2/groups/${standIn.projectId}/clusters/${SOURCE}/backup/restoreJobs`);
    expect(restore.body).toEqual({ deliveryType: "automated", snapshotId: "6571e3a5f1c2d3e4a5b60002", targetClusterName: "drill-t1", targetGroupId: standIn.projectId });

    expect(request?.restoredUri).toMatch(/^mongodb\+srv:\/\/drill-t1-verify:[^@]+@drill-t1-pl-0\.abcde\.mongodb\.net\/audio_pipeline\?authSource=admin$/);
    expect(request?.sourceUri).toMatch(new RegExp(String.raw`^mongodb\+srv:\/\/drill-t1-verify:[^@]+@${SOURCE}-pl-0\.abcde\.mongodb\.net\/audio_pipeline\?authSource=admin$`));
    const user = standIn.calls.find((c) => c.path.endsWith("/databaseUsers"))!.body;
    expect(user).toMatchObject({ databaseName: "admin", username: "drill-t1-verify", roles: [{ roleName: "read", databaseName: "audio_pipeline" }] });
    expect(run.out.join("\n")).not.toContain(user.password);
    expect(JSON.stringify(run.report)).not.toContain(user.password);

    expect(run.report).toMatchObject({ outcome: "succeeded", drillCluster: "drill-t1", tier: "M10", restorePoint: { kind: "snapshot", at: "2026-12-08T03:00:00.000Z" } });
    expect(run.report.rtoSeconds).toBeGreaterThanOrEqual(0);
    expect(run.report.rpoSeconds).toBe(Math.round((Date.parse(run.report.times.restoreRequestedAt) - Date.parse("2026-12-08T03:00:00Z")) / 1000));
    expect(run.report.verification).toMatchObject({ skipped: false, passed: true, seedPlanExitCode: 0 });
    expect(run.summary).toMatch(/## Restore drill: dev: succeeded/);
    expect(run.summary).toMatch(/\| RTO \(restore duration\) \| \d+ s/);
    expect(run.summary).toMatch(/\| RPO \(age of the restored point\) \| \d+ s/);
    expectDeletedAndConfirmed(run, "t1");
    expectOnlyOwnWrites(standIn.calls, "t1");
    expect(standIn.clusters.has(SOURCE)).toBe(true);
  });

  it("restores a point in time given with --at, inside the window", async () => {
    const at = new Date(Date.now() - 3_600_000);
    at.setUTCMilliseconds(0);
    const run = await drill(["dev", "--run-id", "t2", "--at", at.toISOString(), ...FAST]);
    expect(run.code).toBe(0);
    expect(standIn.calls.find((c) => c.path.endsWith("/restoreJobs"))!.body).toEqual({
      deliveryType: "pointInTime",
      pointInTimeUTCSeconds: at.getTime() / 1000,
      targetClusterName: "drill-t2",
      targetGroupId: standIn.projectId,
    });
    expect(run.report.rpoSeconds).toBeGreaterThanOrEqual(3600);
  });

  it("uses Atlas-managed keys for a source without a customer key, and skips verification with --no-verify", async () => {
    standIn.clusters.get(SOURCE)!.encryptionAtRestProvider = "NONE";
    const verifier = vi.fn(passingVerifier);
    const run = await drill(["dev", "--run-id", "t3", "--no-verify", ...FAST], { verifier });
    expect(run.code).toBe(0);
    expect(standIn.calls.find((c) => c.method === "POST" && c.path.endsWith("/clusters"))!.body.encryptionAtRestProvider).toBe("NONE");
    expect(verifier).not.toHaveBeenCalled();
    expect(standIn.calls.some((c) => c.path.includes("databaseUsers"))).toBe(false);
    expect(run.report.verification).toEqual({ skipped: true });
    expect(run.summary).toMatch(/verification \| skipped/);
  });

  it("takes --project-id instead of looking the project up by name", async () => {
    const run = await drill(["dev", "--run-id", "t4", "--project-id", standIn.projectId, "--no-verify", ...FAST]);
    expect(run.code).toBe(0);
    expect(standIn.calls.some((c) => c.path.includes("/byName/"))).toBe(false);
  });

  it("picks the smallest tier whose disk holds the source", () => {
    expect(smallestTierFor(10)).toBe("M10");
    expect(smallestTierFor(128)).toBe("M10");
    expect(smallestTierFor(129)).toBe("M20");
    expect(smallestTierFor(600)).toBe("M40");
    expect(() => smallestTierFor(10_000)).toThrow(/exceeds every tier/);
  });
});

describe("restore drill: bad input is refused by name, and nothing is created", () => {
  const cases: { name: string; args: string[]; refusal: RegExp; setup?: () => void }[] = [
    { name: "--at in the future", args: ["dev", "--at", new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, "Z")], refusal: /^AtInTheFuture: --at: got .*after now.*allowed: a UTC time in the past/ },
    { name: "--at before the restore window", args: ["dev", "--at", new Date(Date.now() - 8 * 86_400_000).toISOString()], refusal: /^AtOutsideRestoreWindow: --at: got .*before the 7-day restore window/ },
    {
      name: "--at without point-in-time restore",
      args: ["dev", "--at", new Date(Date.now() - 3_600_000).toISOString()],
      refusal: new RegExp(`^NoPointInTimeRestore: --at: cluster "${SOURCE}" has point-in-time restore off`),
      setup: () => (standIn.clusters.get(SOURCE)!.pitEnabled = false),
    },
    { name: "an environment without backups", args: ["dev"], refusal: new RegExp(`^BackupsDisabled: cluster "${SOURCE}" has backups off`), setup: () => (standIn.clusters.get(SOURCE)!.backupEnabled = false) },
    { name: "production without --confirm-production", args: ["prod"], refusal: /^ProductionNotConfirmed: environment "prod" is production.*allowed: pass --confirm-production/ },
    {
      name: "an unknown environment",
      args: ["no-such-env"],
      // The environments of config/, whatever they are today.
      refusal: new RegExp(`^UsageError: environment: got "no-such-env"; allowed: ${environmentFiles("config").map((file) => path.basename(file, ".json")).join(", ")}$`),
    },
    { name: "a malformed --at", args: ["dev", "--at", "yesterday"], refusal: /^UsageError: --at: got "yesterday"; allowed: an ISO 8601 UTC time/ },
    { name: "a project name the key cannot see", args: ["dev"], refusal: new RegExp(`^ProjectNotFound: Atlas project "${DEV.atlasProject}"`), setup: () => standIn.fail({ method: "GET", path: /byName/, status: 404, errorCode: "GROUP_NAME_NOT_FOUND" }) },
  ];

  it.each(cases)("$name", async ({ args, refusal, setup }) => {
    setup?.();
    const run = await drill([...args, "--run-id", "bad", ...FAST]);
    expect(run.code).toBe(2);
    expect(run.err[0]).toMatch(/^error: /);
    expect(run.err[0].slice("error: ".length)).toMatch(refusal);
    expect(standIn.writes()).toEqual([]);
  });

  it("a snapshot-copy region equal to the cluster's is refused by the config rule before any call", async () => {
    const configDir = path.join(dir, "config");
    fs.mkdirSync(configDir);
    const dev = JSON.parse(fs.readFileSync("config/dev.json", "utf8"));
    dev.backup = { ...dev.backup, copyToRegions: ["US_EAST_1"] };
    delete dev.$schema;
    fs.writeFileSync(path.join(configDir, "dev.json"), JSON.stringify(dev));
    const run = await drill(["dev", "--config-dir", configDir, ...FAST]);
    expect(run.code).toBe(2);
    expect(run.err[0]).toMatch(/^error: ConfigInvalid: .*dev\.json: backup\.copyToRegions\[0\]: got "US_EAST_1"; is the cluster's own region/);
    expect(standIn.calls).toEqual([]);
  });
});

describe("restore drill: a failure at each step still deletes the cluster and confirms it is gone", () => {
  const steps: { step: string; setup: () => void; created: boolean }[] = [
    { step: "create-cluster", created: false, setup: () => standIn.fail({ method: "POST", path: /\/clusters$/, status: 500, errorCode: "UNEXPECTED_ERROR" }) },
    {
      step: "wait-cluster",
      created: true,
      setup: () => {
        standIn.onCall = (call) => {
          if (call.method === "POST" && call.path.endsWith("/clusters")) standIn.fail({ method: "GET", path: /\/clusters\/drill-f$/, status: 503, errorCode: "SERVICE_UNAVAILABLE", times: 4 });
        };
      },
    },
    { step: "restore", created: true, setup: () => standIn.fail({ method: "POST", path: /\/restoreJobs$/, status: 400, errorCode: "CLUSTER_RESTORE_IN_PROGRESS_CANNOT_UPDATE" }) },
    { step: "wait-restore", created: true, setup: () => (standIn.failRestoreJob = true) },
    { step: "verify", created: true, setup: () => standIn.fail({ method: "POST", path: /\/databaseUsers$/, status: 409, errorCode: "USER_ALREADY_EXISTS" }) },
  ];

  it.each(steps)("$step", async ({ step, setup, created }) => {
    setup();
    const run = await drill(["dev", "--run-id", "f", ...FAST]);
    expect(run.code).toBe(1);
    expect(run.report).toMatchObject({ outcome: "failed", failure: { step } });
    expect(run.err.join("\n")).toMatch(new RegExp(`drill failed: ${step}: `));
    if (created) expectDeletedAndConfirmed(run, "f");
    else expect(standIn.writes().filter((c) => c.method === "DELETE")).toEqual([]);
    expect(run.report.cleanup.confirmedGone).toBe(true);
    expect(standIn.clusters.has("drill-f")).toBe(false);
    expectOnlyOwnWrites(standIn.calls, "f");
  });

  it("verification out of tolerance: failed, named per collection, cluster deleted", async () => {
    const run = await drill(["dev", "--run-id", "v", ...FAST], {
      verifier: async () => ({
        seedPlanExitCode: 2,
        seedPlanOutput: ["+ create index calls.by_created_at"],
        counts: compareCounts(["calls", "contacts"], new Map([["calls", 10_000], ["contacts", 50]]), new Map([["calls", 8_000]]), { percent: 5, documents: 100 }),
      }),
    });
    expect(run.code).toBe(1);
    expect(run.report.failure.message).toBe("seed plan exited 2 (0 expected); calls: 8000 restored vs 10000 in the source (allowed difference 500); contacts: missing restored vs 50 in the source (allowed difference 100)");
    expect(run.summary).toMatch(/\| calls \| 10000 \| 8000 \| 500 \| \*\*out of tolerance\*\* \|/);
    expectDeletedAndConfirmed(run, "v");
  });

  it("a verifier that throws: failed at verify, cluster and user deleted", async () => {
    const run = await drill(["dev", "--run-id", "w", ...FAST], { verifier: async () => Promise.reject(new Error("server selection timed out")) });
    expect(run.code).toBe(1);
    expect(run.report.failure).toEqual({ step: "verify", message: "verify: server selection timed out" });
    expectDeletedAndConfirmed(run, "w");
  });

  it("a delete Atlas refuses once is asked again: the cluster is still deleted and confirmed gone", async () => {
    standIn.fail({ method: "DELETE", path: /\/clusters\/drill-r$/, status: 503, errorCode: "SERVICE_UNAVAILABLE", times: 1 });
    const run = await drill(["dev", "--run-id", "r", ...FAST]);
    expect(run.code).toBe(0);
    expect(standIn.calls.filter((c) => c.method === "DELETE" && c.path.endsWith("/clusters/drill-r")).length).toBe(2);
    expectDeletedAndConfirmed(run, "r");
  });

  it("a delete Atlas keeps refusing: exit 3 after three tries, the report and the error say the cluster may remain", async () => {
    standIn.fail({ method: "DELETE", path: /\/clusters\/drill-d$/, status: 500, errorCode: "UNEXPECTED_ERROR" });
    const run = await drill(["dev", "--run-id", "d", ...FAST]);
    expect(run.code).toBe(3);
    expect(standIn.calls.filter((c) => c.method === "DELETE" && c.path.endsWith("/clusters/drill-d")).length).toBe(3);
    expect(run.report.cleanup).toMatchObject({ confirmedGone: false, error: expect.stringMatching(/^delete-cluster: Atlas Admin API DELETE .*drill-d answered 500 UNEXPECTED_ERROR/) });
    expect(run.out.join("\n")).toMatch(/CLEAN-UP FAILED: .*delete drill-d by hand/);
    expect(run.summary).toMatch(/clean-up \| FAILED/);
  });

  it("a cluster that never goes away: exit 3 at the clean-up time limit", async () => {
    standIn.stuckDeleting = true;
    const run = await drill(["dev", "--run-id", "s", "--poll-interval-ms", "5", "--timeout-ms", "5000", "--cleanup-timeout-ms", "100"]);
    expect(run.code).toBe(3);
    expect(run.report.cleanup.error).toMatch(/^confirm-deleted: drill-s still exists \(state DELETING\) at the clean-up time limit/);
  });
});

describe("restore drill: time limit and cancel", () => {
  it("times out with bounded polling when the cluster never becomes IDLE, then deletes it", async () => {
    standIn.neverIdle = true;
    const started = Date.now();
    const run = await drill(["dev", "--run-id", "to", "--poll-interval-ms", "20", "--timeout-ms", "300", "--cleanup-timeout-ms", "2000"]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(run.code).toBe(1);
    expect(run.report).toMatchObject({ outcome: "timed-out", failure: { step: "wait-cluster", message: expect.stringMatching(/time limit reached while waiting for drill-to to become IDLE \(last state CREATING\)/) } });
    const reads = standIn.calls.filter((c) => c.method === "GET" && c.path.endsWith("/clusters/drill-to")).length;
    expect(reads).toBeLessThanOrEqual(300 / 20 + 5);
    expectDeletedAndConfirmed(run, "to");
  });

  it("a cancel (SIGINT) while waiting: exit 130, the cluster is deleted and confirmed gone", async () => {
    standIn.neverIdle = true;
    const cancel = new AbortController();
    standIn.onCall = (call) => {
      if (call.method === "GET" && call.path.endsWith("/clusters/drill-c")) cancel.abort();
    };
    const run = await drill(["dev", "--run-id", "c", "--poll-interval-ms", "10000", "--timeout-ms", "60000", "--cleanup-timeout-ms", "2000"], { signal: cancel.signal });
    expect(run.report.cleanup).toEqual({ created: true, confirmedGone: true, leftoversRemoved: [] });
    expect(run.code).toBe(130);
    expect(run.report.outcome).toBe("cancelled");
    standIn.neverIdle = false;
    expectDeletedAndConfirmed(run, "c");
  });
});

describe("restore drill: safety", () => {
  it("never writes to a cluster it did not create", () => {
    expect(() => assertDrillTarget(SOURCE, SOURCE, "drill-x")).toThrow(/it is the environment's own cluster/);
    expect(() => assertDrillTarget("other", SOURCE, "drill-x")).toThrow(/not a drill-\* cluster/);
    expect(() => assertDrillTarget("drill-y", SOURCE, "drill-x")).toThrow(/this drill created "drill-x", not it/);
    expect(() => assertDrillTarget("drill-x", SOURCE, "drill-x")).not.toThrow();
  });

  it("owns a cluster only when its name prefix and its tags (the drill's record) agree", () => {
    const tags = (runId: string) => [{ key: "purpose", value: "restore-drill" }, { key: "drill-run-id", value: runId }];
    expect(drillRunIdOf({ name: "drill-7", tags: tags("7") })).toBe("7");
    expect(drillRunIdOf({ name: "drill-7" })).toBeUndefined();
    expect(drillRunIdOf({ name: "drill-7", tags: tags("8") })).toBeUndefined();
    expect(drillRunIdOf({ name: "prod-7", tags: tags("7") })).toBeUndefined();
  });

  it("refuses to start while another drill runs", async () => {
    const first = await drill(["dev", "--run-id", "a", "--no-verify", ...FAST], {
      verifier: passingVerifier,
    });
    expect(first.code).toBe(0);
    standIn.clusters.set("drill-b", {
      name: "drill-b",
      stateName: "IDLE",
      tags: [
        { key: "purpose", value: "restore-drill" },
        { key: "drill-run-id", value: "b" },
        { key: "drill-expires-at", value: new Date(Date.now() + 3_600_000).toISOString() },
      ],
    });
    const writesBefore = standIn.writes().length;
    const second = await drill(["dev", "--run-id", "c2", ...FAST]);
    expect(second.code).toBe(2);
    expect(second.err[0]).toMatch(/^error: DrillAlreadyRunning: another drill is running in project \w+: drill-b \(until /);
    expect(standIn.writes().length).toBe(writesBefore);
    expect(standIn.clusters.has("drill-b")).toBe(true);
  });

  it("a crash between create and delete: the next drill refuses while the crashed one could still run, then removes its leftovers, and only those", async () => {
    // The crashed drill: a real process, killed (SIGKILL: no clean-up) once Atlas accepted its create.
    const { spawn } = await import("node:child_process");
    const script = JSON.parse(fs.readFileSync("package.json", "utf8")).scripts.drill.split(" ");
    const child = spawn(script[0], [...script.slice(1), "dev", "--run-id", "crashed", "--no-verify", "--poll-interval-ms", "50", "--timeout-ms", "60000", "--cleanup-timeout-ms", "60000", "--report-file", path.join(dir, "crashed.json")], {
      env: { ...process.env, MONGODB_ATLAS_BASE_URL: standIn.url, MONGODB_ATLAS_PUBLIC_API_KEY: PUBLIC_KEY, MONGODB_ATLAS_PRIVATE_API_KEY: PRIVATE_KEY, GITHUB_STEP_SUMMARY: "" },
      stdio: "ignore",
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    standIn.onCall = (call) => {
      if (call.method === "POST" && call.path.endsWith("/clusters")) setImmediate(() => child.kill("SIGKILL"));
    };
    expect(await exited).toBe("SIGKILL");
    standIn.onCall = () => undefined;
    expect(standIn.clusters.get("drill-crashed")).toBeDefined();

    // Beside it: a hand-made drill-* cluster (no tags) and a cluster whose tags name another run.
    standIn.clusters.set("drill-manual", { name: "drill-manual", stateName: "IDLE" });
    standIn.clusters.set("drill-mislabelled", { name: "drill-mislabelled", stateName: "IDLE", tags: [{ key: "purpose", value: "restore-drill" }, { key: "drill-run-id", value: "other" }] });

    // Within the crashed drill's own time limit it might still be running: refused, nothing touched.
    const early = await drill(["dev", "--run-id", "next", ...FAST]);
    expect(early.code).toBe(2);
    expect(early.err[0]).toMatch(/DrillAlreadyRunning: .*drill-crashed/);

    // After its time limit (clock two hours on), the next drill removes drill-crashed, and only it.
    standIn.calls.length = 0;
    const later: DrillClock = { now: () => Date.now() + 2 * 3_600_000, sleep: realClock.sleep };
    const next = await drill(["dev", "--run-id", "next", ...FAST], { clock: later });
    expect(next.code).toBe(0);
    expect(next.report.cleanup.leftoversRemoved).toEqual(["drill-crashed"]);
    expect(standIn.clusters.has("drill-crashed")).toBe(false);
    expect(standIn.clusters.has("drill-manual")).toBe(true);
    expect(standIn.clusters.has("drill-mislabelled")).toBe(true);
    expect(standIn.clusters.has(SOURCE)).toBe(true);
    const deleted = standIn.calls.filter((c) => c.method === "DELETE" && c.path.includes("/clusters/")).map((c) => c.path.split("/").pop());
    expect(deleted).toEqual(["drill-crashed", "drill-next"]);
  });

  it("--cleanup-only deletes what the named run left, confirms it, and touches nothing else", async () => {
    const tags = (runId: string) => [{ key: "purpose", value: "restore-drill" }, { key: "drill-run-id", value: runId }, { key: "drill-expires-at", value: new Date(Date.now() + 3_600_000).toISOString() }];
    standIn.clusters.set("drill-k", { name: "drill-k", stateName: "IDLE", tags: tags("k") });
    standIn.clusters.set("drill-other", { name: "drill-other", stateName: "IDLE", tags: tags("other") });
    const run = await drill(["dev", "--cleanup-only", "--run-id", "k", ...FAST]);
    expect(run.code).toBe(0);
    expect(run.report.cleanup).toMatchObject({ confirmedGone: true, leftoversRemoved: ["drill-k"] });
    expect(standIn.clusters.has("drill-k")).toBe(false);
    expect(standIn.clusters.has("drill-other")).toBe(true);
    expect(standIn.clusters.has(SOURCE)).toBe(true);
    expect(standIn.writes().filter((c) => c.method === "POST")).toEqual([]);

    // Nothing left (the drill cleaned up itself): nothing to do, exit 0.
    standIn.calls.length = 0;
    const again = await drill(["dev", "--cleanup-only", "--run-id", "k", ...FAST]);
    expect(again.code).toBe(0);
    expect(standIn.writes().filter((c) => c.path.includes("/clusters/"))).toEqual([]);
  });
});

describe("Atlas Admin API client", () => {
  it("signs in with digest authentication and the versioned media type, against the base URL it is given", async () => {
    const client = new AtlasAdminClient({ baseUrl: standIn.url, publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY });
    await expect(client.get<{ id: string }>(`/groups/byName/${DEV.atlasProject}`)).resolves.toMatchObject({ id: standIn.projectId });
    expect(standIn.calls[0].accept).toBe("application/vnd.atlas.2023-01-01+json");
  });

  it("tries a GET again after a transient answer (429, 5xx), never a write", async () => {
    const client = new AtlasAdminClient({ baseUrl: standIn.url, publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY, retryDelayMs: 1 });
    standIn.fail({ method: "GET", path: /byName/, status: 429, errorCode: "RATE_LIMITED", times: 2 });
    await expect(client.get(`/groups/byName/${DEV.atlasProject}`)).resolves.toMatchObject({ id: standIn.projectId });
    standIn.fail({ method: "POST", path: /\/clusters$/, status: 503, errorCode: "SERVICE_UNAVAILABLE", times: 1 });
    await expect(client.post(`/groups/${standIn.projectId}/clusters`, { name: "drill-x" })).rejects.toThrow(/answered 503/);
    expect(standIn.calls.filter((c) => c.method === "POST").length).toBe(1);
    standIn.fail({ method: "GET", path: /byName/, status: 404, errorCode: "GROUP_NAME_NOT_FOUND", times: 1 });
    await expect(client.get(`/groups/byName/${DEV.atlasProject}`)).rejects.toThrow(/answered 404/);
  });

  it("a read-only client refuses a write before sending anything", async () => {
    const client = new AtlasAdminClient({ baseUrl: standIn.url, publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY, readOnly: true });
    await expect(client.get(`/groups/byName/${DEV.atlasProject}`)).resolves.toMatchObject({ id: standIn.projectId });
    await expect(client.delete(`/groups/${standIn.projectId}/clusters/${SOURCE}`)).rejects.toThrow(`refusing DELETE /api/atlas/v2/groups/${standIn.projectId}/clusters/${SOURCE}: this client is read-only`);
    expect(standIn.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("names the call, the status and Atlas's error code on failure, never a key", async () => {
    const client = new AtlasAdminClient({ baseUrl: standIn.url, publicKey: PUBLIC_KEY, privateKey: "wrong-private-key" });
    const error = await client.get(`/groups/byName/${DEV.atlasProject}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect((error as AtlasApiError).message).toBe(`Atlas Admin API GET /api/atlas/v2/groups/byName/${DEV.atlasProject} answered 401 NOT_ATLAS_USER: You are not authorized for this resource.`);
    expect((error as Error).message).not.toContain("wrong-private-key");
  });

  it("refuses a base URL with a path, and missing keys, by name", async () => {
    expect(() => new AtlasAdminClient({ baseUrl: "https://cloud.mongodb.com/api", publicKey: "a", privateKey: "b" })).toThrow(/MONGODB_ATLAS_BASE_URL: got "https:\/\/cloud.mongodb.com\/api"; allowed: scheme and host only/);
    const run = await drill(["dev", ...FAST], { env: { MONGODB_ATLAS_PRIVATE_API_KEY: "" } });
    expect(run.code).toBe(2);
    expect(run.err[0]).toBe('error: MONGODB_ATLAS_PRIVATE_API_KEY must be set: the Atlas API key the drill signs in with (docs/operations.md, "Credentials")');
  });
});
