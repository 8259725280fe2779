import { randomBytes } from "node:crypto";
import { AtlasApiError } from "../atlas-api/client";
import type { AtlasResources, ClusterDescription, RestoreJob, Snapshot } from "../atlas-api/resources";
import type { CountTolerance } from "./counts";
import { DrillCancelled, DrillRefusal, DrillSafetyViolation, DrillStepError, DrillTimeout, type DrillStep } from "./errors";
import { assertDrillTarget, drillClusterName, drillExpiry, drillRunIdOf, verifierUsername } from "./ownership";
import type { DrillReport, RestorePoint } from "./report";
import { RestoreTooLargeError, smallestTierFor, sourceShape, targetClusterRequest } from "./target-cluster";
import { verificationPassed, type Verifier } from "./verify";

/*
 * The drill, one plain function per step: check (no writes) -> clean leftovers of crashed drills
 * -> create the temporary cluster -> restore -> verify -> delete and confirm it is gone. The
 * record of what this run created (`created`) is filled in as each create succeeds, and the
 * clean-up reads only that record: whatever happened before (success, a failed step, the time
 * limit, a cancel), it deletes exactly what this run created, and nothing else.
 */

export interface DrillSettings {
  readonly environment: string;
  readonly production: boolean;
  readonly confirmProduction: boolean;
  readonly projectName: string;
  /** Overrides the look-up by name. */
  readonly projectId?: string;
  readonly sourceCluster: string;
  readonly runId: string;
  /** A point in time to restore; default: the latest completed snapshot. */
  readonly at?: Date;
  /** The configured point-in-time window, used when Atlas's schedule does not say. */
  readonly configuredRestoreWindowDays: number;
  readonly verify: boolean;
  readonly database: string;
  readonly tolerance: CountTolerance;
  readonly pollIntervalMs: number;
  /** Total time limit from start to a restored, verified copy. */
  readonly timeoutMs: number;
  /** Time limit of the clean-up (delete and confirm), on top of timeoutMs. */
  readonly cleanupTimeoutMs: number;
}

export interface DrillClock {
  now(): number;
  /** Resolves after `ms`, or rejects with DrillCancelled as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface DrillDeps {
  readonly atlas: AtlasResources;
  readonly verifier: Verifier;
  readonly clock: DrillClock;
  /** Aborted on SIGINT/SIGTERM. */
  readonly signal: AbortSignal;
  /** One progress line (no secret is ever passed here). */
  readonly log: (line: string) => void;
}

export const realClock: DrillClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new DrillCancelled());
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new DrillCancelled());
      };
      signal.addEventListener("abort", onAbort, { once: true });
    }),
};

const DAY_MS = 86_400_000;
const VERIFY_USER_DATABASE = "admin";

interface Checked {
  readonly projectId: string;
  readonly source: ClusterDescription;
  readonly restorePoint: RestorePoint;
}

/** What this run created: the clean-up's only input. */
interface Created {
  cluster?: string;
  user?: string;
}

/**
 * `--cleanup-only`: deletes what the run `settings.runId` created, if anything is left (its
 * cluster, by name and tags, and its temporary user), and confirms it is gone. The workflow runs it
 * in an always() step after the drill, for a drill process killed before its own clean-up ended.
 */
export async function cleanUpRun(settings: DrillSettings, deps: DrillDeps): Promise<DrillReport> {
  const name = drillClusterName(settings.runId);
  const report: DrillReport = {
    environment: settings.environment,
    runId: settings.runId,
    outcome: "succeeded",
    sourceCluster: settings.sourceCluster,
    drillCluster: name,
    times: { startedAt: iso(deps.clock.now()) },
    verification: { skipped: true },
    cleanup: { leftoversRemoved: [] },
  };
  try {
    const projectId = settings.projectId ?? (await projectIdByName(settings.projectName, deps)).id;
    report.projectId = projectId;
    const cluster = await deps.atlas.cluster(projectId, name);
    const created: Created = { user: verifierUsername(settings.runId), ...(cluster && drillRunIdOf(cluster) === settings.runId ? { cluster: name } : {}) };
    await cleanUp(projectId, settings, deps, created, report);
    if (created.cluster) report.cleanup.leftoversRemoved.push(name);
  } catch (error) {
    report.outcome = "failed";
    report.failure = { step: "check", message: messageOf(error) };
    report.cleanup.confirmedGone = false;
    report.cleanup.error = messageOf(error);
  }
  return finish(report, deps);
}

/** Runs one drill and returns its report; never throws for an outcome (refusals included). */
export async function runDrill(settings: DrillSettings, deps: DrillDeps): Promise<DrillReport> {
  const startedAt = deps.clock.now();
  const report: DrillReport = {
    environment: settings.environment,
    runId: settings.runId,
    outcome: "refused",
    sourceCluster: settings.sourceCluster,
    drillCluster: drillClusterName(settings.runId),
    times: { startedAt: iso(startedAt) },
    verification: { skipped: !settings.verify },
    cleanup: { leftoversRemoved: [] },
  };
  let checked: Checked;
  try {
    checked = await check(settings, deps, report);
  } catch (error) {
    // Nothing was created: a refusal (bad input) or an Atlas error while looking.
    if (!(error instanceof DrillRefusal)) report.outcome = "failed";
    report.failure = { step: "check", message: messageOf(error) };
    report.cleanup.confirmedGone = true;
    return finish(report, deps);
  }

  const created: Created = {};
  const deadline = startedAt + settings.timeoutMs;
  try {
    await removeLeftovers(checked.projectId, settings, deps, report);
    await createAndRestore(settings, deps, checked, created, deadline, report);
    if (settings.verify) await verify(settings, deps, checked, created, deadline, report);
    report.outcome = report.verification.passed === false ? "failed" : "succeeded";
  } catch (error) {
    report.outcome = error instanceof DrillCancelled ? "cancelled" : error instanceof DrillTimeout ? "timed-out" : "failed";
    report.failure = { step: error instanceof DrillStepError ? error.step : "drill", message: messageOf(error) };
    deps.log(`drill ${report.outcome}: ${report.failure.message}`);
  } finally {
    await cleanUp(checked.projectId, settings, deps, created, report);
  }
  return finish(report, deps);
}

function finish(report: DrillReport, deps: DrillDeps): DrillReport {
  report.times.finishedAt = iso(deps.clock.now());
  return report;
}

/** Every refusal, before anything is written. */
async function check(settings: DrillSettings, deps: DrillDeps, report: DrillReport): Promise<Checked> {
  if (settings.production && !settings.confirmProduction) {
    throw new DrillRefusal(
      "ProductionNotConfirmed",
      `environment "${settings.environment}" is production; a drill there creates a cluster in the production project and restores production data into it; allowed: pass --confirm-production`,
    );
  }
  const now = deps.clock.now();
  if (settings.at && settings.at.getTime() > now) {
    throw new DrillRefusal("AtInTheFuture", `--at: got ${settings.at.toISOString()}, which is after now (${iso(now)}); allowed: a UTC time in the past, inside the restore window`);
  }

  const projectId = settings.projectId ?? (await projectIdByName(settings.projectName, deps)).id;
  report.projectId = projectId;
  const source = await deps.atlas.cluster(projectId, settings.sourceCluster);
  if (!source) {
    throw new DrillRefusal("SourceClusterMissing", `cluster "${settings.sourceCluster}" does not exist in project ${projectId}; allowed: an environment whose stack is deployed`);
  }
  if (drillRunIdOf(source) !== undefined) throw new DrillSafetyViolation(`the environment's cluster "${source.name}" looks like a drill cluster`);
  if (!source.backupEnabled) {
    throw new DrillRefusal("BackupsDisabled", `cluster "${source.name}" has backups off (backupEnabled false), so there is nothing to restore; allowed: an environment with cloud backup on`);
  }
  const restorePoint = settings.at ? await pointInTime(settings, deps, projectId, source, settings.at) : await latestSnapshot(deps, projectId, source);
  report.restorePoint = restorePoint;
  try {
    report.tier = smallestTierFor(sourceShape(source).diskSizeGB);
  } catch (error) {
    if (error instanceof RestoreTooLargeError) throw new DrillRefusal("ConfigInvalid", error.message);
    throw error;
  }
  report.encryptionAtRestProvider = sourceShape(source).encryptionAtRestProvider === "AWS" ? "AWS" : "NONE";

  const running = (await deps.atlas.clusters(projectId)).filter((cluster) => {
    const expiry = drillRunIdOf(cluster) !== undefined ? drillExpiry(cluster) : undefined;
    return expiry !== undefined && expiry.getTime() > now;
  });
  if (running.length > 0) {
    const names = running.map((cluster) => `${cluster.name} (until ${drillExpiry(cluster)!.toISOString()})`).join(", ");
    throw new DrillRefusal("DrillAlreadyRunning", `another drill is running in project ${projectId}: ${names}; allowed: one drill at a time, start again when it has finished`);
  }
  if (await deps.atlas.cluster(projectId, drillClusterName(settings.runId))) {
    throw new DrillRefusal("UsageError", `--run-id: a cluster named "${drillClusterName(settings.runId)}" already exists; allowed: a run id not used before`);
  }
  return { projectId, source, restorePoint };
}

async function projectIdByName(name: string, deps: DrillDeps) {
  try {
    return await deps.atlas.projectByName(name);
  } catch (error) {
    if (error instanceof AtlasApiError && error.status === 404) {
      throw new DrillRefusal("ProjectNotFound", `Atlas project "${name}" (atlas.projectName) is not visible to this API key; allowed: a project the key belongs to, or --project-id`);
    }
    throw error;
  }
}

async function pointInTime(settings: DrillSettings, deps: DrillDeps, projectId: string, source: ClusterDescription, at: Date): Promise<RestorePoint> {
  if (!source.pitEnabled) {
    throw new DrillRefusal("NoPointInTimeRestore", `--at: cluster "${source.name}" has point-in-time restore off (pitEnabled false); allowed: omit --at to restore the latest snapshot`);
  }
  const schedule = await deps.atlas.backupSchedule(projectId, source.name);
  const windowDays = schedule.restoreWindowDays ?? settings.configuredRestoreWindowDays;
  const earliest = deps.clock.now() - windowDays * DAY_MS;
  if (at.getTime() < earliest) {
    throw new DrillRefusal(
      "AtOutsideRestoreWindow",
      `--at: got ${at.toISOString()}, before the ${windowDays}-day restore window (earliest ${iso(earliest)}); allowed: a UTC time between ${iso(earliest)} and now`,
    );
  }
  return { kind: "pointInTime", at: at.toISOString() };
}

async function latestSnapshot(deps: DrillDeps, projectId: string, source: ClusterDescription): Promise<RestorePoint> {
  // A fallback snapshot (Atlas's retry after a failed one) "may contain inconsistent data" (Atlas
  // docs, "Restore from a Scheduled or On-Demand Snapshot"): a drill proves the regular ones.
  const completed = (await deps.atlas.snapshots(projectId, source.name)).filter((snapshot: Snapshot) => snapshot.status === "completed" && snapshot.snapshotType !== "fallback");
  const latest = completed.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
  if (!latest) {
    throw new DrillRefusal("NoCompletedSnapshot", `cluster "${source.name}" has no completed snapshot yet; allowed: an environment whose backups have taken one (the first comes within hours of the deploy)`);
  }
  return { kind: "snapshot", snapshotId: latest.id, at: new Date(latest.createdAt).toISOString() };
}

/** Deletes the clusters of crashed drills (ours by name and tags, past their expiry), and only those. */
async function removeLeftovers(projectId: string, settings: DrillSettings, deps: DrillDeps, report: DrillReport): Promise<void> {
  const now = deps.clock.now();
  for (const cluster of await deps.atlas.clusters(projectId)) {
    const runId = drillRunIdOf(cluster);
    if (runId === undefined || cluster.name === settings.sourceCluster) continue;
    const expiry = drillExpiry(cluster);
    if (expiry !== undefined && expiry.getTime() > now) continue;
    deps.log(`removing ${cluster.name}, left over by drill ${runId}`);
    await deps.atlas.deleteDatabaseUser(projectId, VERIFY_USER_DATABASE, verifierUsername(runId));
    if (cluster.stateName !== "DELETING") await deps.atlas.deleteCluster(projectId, cluster.name);
    await waitUntilGone(projectId, cluster.name, deps, settings.pollIntervalMs, now + settings.cleanupTimeoutMs);
    report.cleanup.leftoversRemoved.push(cluster.name);
  }
}

async function createAndRestore(settings: DrillSettings, deps: DrillDeps, checked: Checked, created: Created, deadline: number, report: DrillReport) {
  const name = drillClusterName(settings.runId);
  const expiresAt = new Date(deps.clock.now() + settings.timeoutMs + settings.cleanupTimeoutMs);
  assertDrillTarget(name, settings.sourceCluster, name);
  deps.log(`creating ${name} (${report.tier}, encryption at rest ${report.encryptionAtRestProvider}) in project ${checked.projectId}`);
  await step("create-cluster", () =>
    deps.atlas.createCluster(checked.projectId, targetClusterRequest(name, settings.runId, settings.sourceCluster, sourceShape(checked.source), expiresAt)),
  );
  created.cluster = name;
  await waitForIdle(checked.projectId, name, deps, settings, deadline, "wait-cluster");
  report.times.clusterReadyAt = iso(deps.clock.now());

  const point = checked.restorePoint;
  assertDrillTarget(name, settings.sourceCluster, created.cluster);
  const requestedAt = deps.clock.now();
  report.times.restoreRequestedAt = iso(requestedAt);
  deps.log(`restoring ${point.kind === "snapshot" ? `snapshot ${point.snapshotId}` : "the point in time"} ${point.at} of ${settings.sourceCluster} into ${name}`);
  const job = await step("restore", () =>
    deps.atlas.createRestoreJob(checked.projectId, settings.sourceCluster, {
      ...(point.kind === "snapshot"
        ? { deliveryType: "automated" as const, snapshotId: point.snapshotId }
        : { deliveryType: "pointInTime" as const, pointInTimeUTCSeconds: Math.floor(Date.parse(point.at) / 1000) }),
      targetClusterName: name,
      targetGroupId: checked.projectId,
    }),
  );
  report.restoreJobId = job.id;
  const finished = await waitForRestore(checked.projectId, settings.sourceCluster, job.id, deps, settings, deadline);
  await waitForIdle(checked.projectId, name, deps, settings, deadline, "wait-restore");
  const finishedAt = finished.finishedAt ? Date.parse(finished.finishedAt) : deps.clock.now();
  report.times.restoreFinishedAt = iso(finishedAt);
  report.rtoSeconds = Math.round((finishedAt - requestedAt) / 1000);
  report.rpoSeconds = Math.round((requestedAt - Date.parse(point.at)) / 1000);
  deps.log(`restored: RTO ${report.rtoSeconds} s, RPO ${report.rpoSeconds} s`);
}

async function verify(settings: DrillSettings, deps: DrillDeps, checked: Checked, created: Created, deadline: number, report: DrillReport) {
  const name = created.cluster!;
  const cluster = await step("verify", () => deps.atlas.cluster(checked.projectId, name));
  const srv = privateSrv(cluster, name);
  const sourceSrv = privateSrv(checked.source, settings.sourceCluster);
  const username = verifierUsername(settings.runId);
  const password = randomBytes(24).toString("base64url");
  assertDrillTarget(name, settings.sourceCluster, created.cluster!);
  await step("verify", () =>
    deps.atlas.createDatabaseUser(checked.projectId, {
      databaseName: VERIFY_USER_DATABASE,
      username,
      password,
      roles: [{ roleName: "read", databaseName: settings.database }],
      // Read-only, on the copy and on the source (its counts), nowhere else.
      scopes: [
        { name, type: "CLUSTER" },
        { name: settings.sourceCluster, type: "CLUSTER" },
      ],
      // Atlas deletes it by itself should every clean-up fail.
      deleteAfterDate: new Date(deadline + settings.cleanupTimeoutMs).toISOString(),
      description: `restore drill ${settings.runId}: read-only on ${name} and ${settings.sourceCluster}`,
    }),
  );
  created.user = username;
  const uri = withCredentials(srv, username, password, settings.database);
  deps.log(`verifying ${name}: seed plan, then document counts against ${settings.sourceCluster}`);
  const result = await step("verify", () =>
    deps.verifier({
      restoredUri: uri,
      sourceUri: withCredentials(sourceSrv, username, password, settings.database),
      database: settings.database,
      tolerance: settings.tolerance,
      timeoutMs: Math.max(1_000, Math.min(60_000, deadline - deps.clock.now())),
    }),
  );
  report.times.verifiedAt = iso(deps.clock.now());
  report.verification = {
    skipped: false,
    passed: verificationPassed(result),
    seedPlanExitCode: result.seedPlanExitCode,
    seedPlanOutput: [...result.seedPlanOutput],
    counts: [...result.counts],
    tolerance: settings.tolerance,
  };
  if (!report.verification.passed) {
    report.failure = {
      step: "verify",
      message: [
        result.seedPlanExitCode === 0 ? undefined : `seed plan exited ${result.seedPlanExitCode} (0 expected)`,
        ...result.counts.filter((count) => !count.ok).map((count) => `${count.collection}: ${count.restored ?? "missing"} restored vs ${count.source} in the source (allowed difference ${count.allowedDifference})`),
      ]
        .filter(Boolean)
        .join("; "),
    };
  }
}

/** Deletes what this run created (its record only) and waits until Atlas no longer knows the cluster. */
async function cleanUp(projectId: string, settings: DrillSettings, deps: DrillDeps, created: Created, report: DrillReport) {
  const cleanupDeadline = deps.clock.now() + settings.cleanupTimeoutMs;
  report.cleanup.created = created.cluster !== undefined;
  try {
    if (created.user) await deps.atlas.deleteDatabaseUser(projectId, VERIFY_USER_DATABASE, created.user);
    if (created.cluster) {
      assertDrillTarget(created.cluster, settings.sourceCluster, drillClusterName(settings.runId));
      deps.log(`deleting ${created.cluster}`);
      await deleteOwnCluster(projectId, created.cluster, deps, settings.pollIntervalMs, cleanupDeadline);
      await waitUntilGone(projectId, created.cluster, deps, settings.pollIntervalMs, cleanupDeadline);
      report.times.deletedAt = iso(deps.clock.now());
      deps.log(`${created.cluster} is gone`);
    }
    report.cleanup.confirmedGone = true;
  } catch (error) {
    report.cleanup.confirmedGone = false;
    report.cleanup.error = messageOf(error);
    deps.log(`CLEAN-UP FAILED: ${report.cleanup.error}; delete ${created.cluster} by hand (docs/operations.md)`);
  }
}

const DELETE_ATTEMPTS = 3;

/**
 * Asks Atlas to delete the cluster; after a refusal it looks: a cluster already deleting or gone
 * is done, otherwise it asks again (a cluster left behind bills by the hour), up to three times.
 */
async function deleteOwnCluster(projectId: string, name: string, deps: DrillDeps, pollIntervalMs: number, deadline: number) {
  const never = new AbortController().signal;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step("delete-cluster", () => deps.atlas.deleteCluster(projectId, name));
    } catch (error) {
      const cluster = await deps.atlas.cluster(projectId, name);
      if (!cluster || cluster.stateName === "DELETING") return;
      if (attempt >= DELETE_ATTEMPTS || deps.clock.now() >= deadline) throw error;
      deps.log(`delete of ${name} refused (${messageOf(error)}); asking again`);
      await deps.clock.sleep(Math.min(pollIntervalMs, Math.max(0, deadline - deps.clock.now())), never);
    }
  }
}

async function step<T>(name: DrillStep, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DrillStepError || error instanceof DrillCancelled || error instanceof DrillSafetyViolation) throw error;
    throw new DrillStepError(name, messageOf(error));
  }
}

async function waitForIdle(projectId: string, name: string, deps: DrillDeps, settings: DrillSettings, deadline: number, stepName: DrillStep) {
  for (;;) {
    const cluster = await step(stepName, () => deps.atlas.cluster(projectId, name));
    if (!cluster) throw new DrillStepError(stepName, `${name} disappeared`);
    if (cluster.stateName === "IDLE") return;
    await pause(deps, settings.pollIntervalMs, deadline, stepName, `${name} to become IDLE (last state ${cluster.stateName})`);
  }
}

async function waitForRestore(projectId: string, source: string, jobId: string, deps: DrillDeps, settings: DrillSettings, deadline: number): Promise<RestoreJob> {
  for (;;) {
    const job = await step("wait-restore", () => deps.atlas.restoreJob(projectId, source, jobId));
    if (job.failed || job.cancelled || job.expired) {
      throw new DrillStepError("wait-restore", `restore job ${jobId} ${job.failed ? "failed" : job.cancelled ? "was cancelled" : "expired"}`);
    }
    if (job.finishedAt) return job;
    await pause(deps, settings.pollIntervalMs, deadline, "wait-restore", `restore job ${jobId} to finish`);
  }
}

/** Polls until Atlas answers 404 for the cluster; the clean-up ignores cancellation (it is what a cancel needs). */
async function waitUntilGone(projectId: string, name: string, deps: DrillDeps, pollIntervalMs: number, deadline: number) {
  const never = new AbortController().signal;
  // At least 20 looks within the clean-up's own limit, however long the drill's poll interval.
  const intervalMs = Math.min(pollIntervalMs, Math.max(1, Math.floor((deadline - deps.clock.now()) / 20)));
  for (;;) {
    const cluster = await step("confirm-deleted", () => deps.atlas.cluster(projectId, name));
    if (!cluster) return;
    if (deps.clock.now() >= deadline) throw new DrillTimeout("confirm-deleted", `${name} still exists (state ${cluster.stateName}) at the clean-up time limit`);
    await deps.clock.sleep(Math.min(intervalMs, Math.max(0, deadline - deps.clock.now())), never);
  }
}

async function pause(deps: DrillDeps, intervalMs: number, deadline: number, stepName: DrillStep, waitingFor: string) {
  const remaining = deadline - deps.clock.now();
  if (remaining <= 0) throw new DrillTimeout(stepName, `time limit reached while waiting for ${waitingFor}`);
  await deps.clock.sleep(Math.min(intervalMs, remaining), deps.signal);
}

function privateSrv(cluster: ClusterDescription | undefined, name: string): string {
  const srv = cluster?.connectionStrings?.privateEndpoint?.[0]?.srvConnectionString;
  if (!srv) throw new DrillStepError("verify", `${name} has no private-endpoint connection string; is the project's PrivateLink endpoint up?`);
  return srv;
}

/** mongodb+srv://host/ -> mongodb+srv://user:password@host/database?authSource=admin */
function withCredentials(srv: string, username: string, password: string, database: string): string {
  const url = new URL(srv);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  url.pathname = `/${database}`;
  url.searchParams.set("authSource", VERIFY_USER_DATABASE);
  return url.toString();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
