import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { AtlasAdminClient, AtlasClientConfigError, atlasClientOptionsFromEnv } from "../atlas-api/client";
import { AtlasResources } from "../atlas-api/resources";
import { formatIssue } from "../config/config-issue";
import { environmentFiles } from "../config/load-environment";
import { resolveEnvironmentText, type ResolvedEnvironment } from "../environment/resolve";
import { DEFAULT_COUNT_TOLERANCE } from "./counts";
import { DrillRefusal } from "./errors";
import { RUN_ID_PATTERN } from "./ownership";
import { DRILL_EXIT, exitCodeOf, summaryMarkdown, type DrillReport } from "./report";
import { cleanUpRun, runDrill, type DrillClock, type DrillSettings } from "./run";
import type { Verifier } from "./verify";

/*
 * `npm run drill -- <env>`: the command line around runDrill. Everything from outside (the
 * environment, the clock, the verifier, the cancel signal, output) comes in through DrillMainDeps,
 * so tests run it in-process against a loopback stand-in of the Admin API.
 */

export const DEFAULTS = {
  pollIntervalMs: 30_000,
  timeoutMs: 3 * 3_600_000,
  cleanupTimeoutMs: 45 * 60_000,
} as const;

const USAGE = [
  "Usage: npm run drill -- <environment> [options]",
  "",
  "Restores the environment's latest snapshot (or --at) into a temporary cluster drill-<run id> in the same",
  "Atlas project, verifies it, records RTO and RPO, and deletes the cluster in every outcome.",
  "Exit: 0 passed, 1 failed or timed out (cluster deleted), 2 refused (nothing created), 3 clean-up failed",
  "(a drill cluster may remain: see docs/operations.md), 130 cancelled (cluster deleted).",
  "",
  "Options:",
  "  --at <ISO time>             restore this UTC point in time (inside the restore window) instead of the latest snapshot",
  "  --project-id <id>           the Atlas project id (default: looked up by atlas.projectName)",
  "  --run-id <id>               names the cluster drill-<id> (default: $GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT, else local-<time>)",
  "  --no-verify                 skip the verification (seed plan, document counts): for a machine outside the VPC",
  "  --confirm-production        required for a production environment",
  "  --cleanup-only              only delete what the run --run-id created, if anything is left, and confirm it is gone",
  `  --poll-interval-ms <ms>     between two looks at Atlas (default ${DEFAULTS.pollIntervalMs})`,
  `  --timeout-ms <ms>           total time limit up to a verified copy (default ${DEFAULTS.timeoutMs}, 3 h)`,
  `  --cleanup-timeout-ms <ms>   time limit of the delete and its confirmation (default ${DEFAULTS.cleanupTimeoutMs}, 45 min)`,
  `  --count-tolerance-percent <n>  allowed document-count difference, percent of the source (default ${DEFAULT_COUNT_TOLERANCE.percent})`,
  `  --count-tolerance-docs <n>     ... and never less than this many documents (default ${DEFAULT_COUNT_TOLERANCE.documents})`,
  "  --report-file <path>        the JSON report (default drill-report-<environment>.json); $GITHUB_STEP_SUMMARY gets the summary",
  "  --config-dir <dir>          (default config)",
  "  -h, --help",
  "",
  "Environment: MONGODB_ATLAS_PUBLIC_API_KEY, MONGODB_ATLAS_PRIVATE_API_KEY (the drill key), MONGODB_ATLAS_BASE_URL",
  "(default https://cloud.mongodb.com). No AWS credentials: the verification signs in with a temporary read-only user.",
];

export interface DrillMainDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly clock: DrillClock;
  readonly verifier: Verifier;
  readonly signal: AbortSignal;
  /** Where relative paths (config, report) start. */
  readonly cwd: string;
}

/** Runs the drill command and returns its exit code. */
export async function main(argv: readonly string[], deps: DrillMainDeps): Promise<number> {
  let settings: DrillSettings;
  let reportFile: string;
  let cleanupOnly: boolean;
  let client: AtlasAdminClient;
  try {
    const parsed = parseInvocation(argv, deps);
    if (parsed === "help") {
      USAGE.forEach(deps.stdout);
      return 0;
    }
    ({ settings, reportFile, cleanupOnly } = parsed);
    // Retries of a transient GET wait a tenth of the poll interval per try (at most 5 s).
    client = new AtlasAdminClient(atlasClientOptionsFromEnv(deps.env, { retryDelayMs: Math.min(5_000, Math.ceil(settings.pollIntervalMs / 10)) }));
  } catch (error) {
    if (error instanceof DrillRefusal || error instanceof AtlasClientConfigError) {
      deps.stderr(`error: ${error.message}`);
      if (error instanceof DrillRefusal && error.refusal === "UsageError") USAGE.forEach(deps.stderr);
      return DRILL_EXIT.refused;
    }
    throw error;
  }

  const drillDeps = {
    atlas: new AtlasResources(client),
    verifier: deps.verifier,
    clock: deps.clock,
    signal: deps.signal,
    log: (line: string) => deps.stdout(`[drill] ${line}`),
  };
  const report = cleanupOnly ? await cleanUpRun(settings, drillDeps) : await runDrill(settings, drillDeps);
  writeReport(report, reportFile, deps);
  const code = exitCodeOf(report);
  if (report.outcome === "refused") deps.stderr(`error: ${report.failure?.message}`);
  else if (code !== 0) deps.stderr(`error: drill ${report.outcome}${report.failure ? `: ${report.failure.message}` : ""}${report.cleanup.error ? `; clean-up: ${report.cleanup.error}` : ""}`);
  return code;
}

function writeReport(report: DrillReport, reportFile: string, deps: DrillMainDeps) {
  fs.writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  const summary = summaryMarkdown(report);
  if (deps.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(deps.env.GITHUB_STEP_SUMMARY, summary);
  summary.trimEnd().split("\n").forEach(deps.stdout);
  deps.stdout(`report: ${reportFile}`);
}

const usage = (message: string) => new DrillRefusal("UsageError", message);

function parseInvocation(argv: readonly string[], deps: DrillMainDeps): { settings: DrillSettings; reportFile: string; cleanupOnly: boolean } | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        at: { type: "string" },
        "project-id": { type: "string" },
        "run-id": { type: "string" },
        "no-verify": { type: "boolean", default: false },
        "confirm-production": { type: "boolean", default: false },
        "cleanup-only": { type: "boolean", default: false },
        "poll-interval-ms": { type: "string", default: String(DEFAULTS.pollIntervalMs) },
        "timeout-ms": { type: "string", default: String(DEFAULTS.timeoutMs) },
        "cleanup-timeout-ms": { type: "string", default: String(DEFAULTS.cleanupTimeoutMs) },
        "count-tolerance-percent": { type: "string", default: String(DEFAULT_COUNT_TOLERANCE.percent) },
        "count-tolerance-docs": { type: "string", default: String(DEFAULT_COUNT_TOLERANCE.documents) },
        "report-file": { type: "string" },
        "config-dir": { type: "string", default: "config" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1) throw usage(`expected one environment name, got ${positionals.length}`);
  const [environment] = positionals;
  const { config, names } = loadEnvironment(path.resolve(deps.cwd, values["config-dir"]), environment);

  const runId = values["run-id"] ?? defaultRunId(deps);
  if (!RUN_ID_PATTERN.test(runId)) throw usage(`--run-id: got "${runId}"; allowed: 1-40 lower-case letters, digits and hyphens, starting with a letter or digit`);
  let at: Date | undefined;
  if (values.at !== undefined) {
    at = new Date(values.at);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(values.at) || Number.isNaN(at.getTime())) {
      throw usage(`--at: got "${values.at}"; allowed: an ISO 8601 UTC time such as 2026-12-01T09:30:00Z`);
    }
  }
  if (values["project-id"] !== undefined && !/^[0-9a-f]{24}$/.test(values["project-id"])) {
    throw usage(`--project-id: got "${values["project-id"]}"; allowed: 24 hexadecimal digits`);
  }
  if (values["cleanup-only"] && values["run-id"] === undefined && !deps.env.GITHUB_RUN_ID) throw usage("--cleanup-only needs --run-id (or GITHUB_RUN_ID): the run whose cluster to delete");
  return {
    cleanupOnly: values["cleanup-only"],
    reportFile: path.resolve(deps.cwd, values["report-file"] ?? `drill-report-${environment}${values["cleanup-only"] ? "-cleanup" : ""}.json`),
    settings: {
      environment,
      production: config.production,
      confirmProduction: values["confirm-production"],
      projectName: names.atlasProject,
      projectId: values["project-id"],
      sourceCluster: names.atlasCluster,
      runId,
      at,
      configuredRestoreWindowDays: config.backup.restoreWindowDays,
      verify: !values["no-verify"],
      database: config.database.name,
      tolerance: {
        percent: wholeNumber("count-tolerance-percent", values["count-tolerance-percent"], 0),
        documents: wholeNumber("count-tolerance-docs", values["count-tolerance-docs"], 0),
      },
      pollIntervalMs: wholeNumber("poll-interval-ms", values["poll-interval-ms"], 1),
      timeoutMs: wholeNumber("timeout-ms", values["timeout-ms"], 1),
      cleanupTimeoutMs: wholeNumber("cleanup-timeout-ms", values["cleanup-timeout-ms"], 1),
    },
  };
}

function wholeNumber(option: string, value: string, minimum: number): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < minimum) throw usage(`--${option}: got "${value}"; allowed: a whole number, ${minimum} or more`);
  return parsed;
}

function defaultRunId(deps: DrillMainDeps): string {
  const { GITHUB_RUN_ID: run, GITHUB_RUN_ATTEMPT: attempt } = deps.env;
  if (run) return `${run}-${attempt ?? "1"}`;
  return `local-${Math.floor(deps.clock.now() / 1000).toString(36)}`;
}

function loadEnvironment(configDir: string, environment: string): ResolvedEnvironment {
  const file = path.join(configDir, `${environment}.json`);
  if (!/^[a-z][a-z0-9-]{0,15}$/.test(environment) || !fs.existsSync(file)) {
    const known = fs.existsSync(configDir) ? environmentFiles(configDir).map((name) => path.basename(name, ".json")) : [];
    throw usage(`environment: got "${environment}"; allowed: ${known.join(", ") || "an environment with a config/<name>.json"}`);
  }
  const { environment: resolved, issues } = resolveEnvironmentText(fs.readFileSync(file, "utf8"), environment, file);
  if (!resolved) throw new DrillRefusal("ConfigInvalid", issues.map((issue) => formatIssue(file, issue)).join("; "));
  return resolved;
}
