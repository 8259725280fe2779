/*
 * After the monthly restore drill (drill.yml): one issue per environment whose drill did not pass
 * (label `restore-drill`), opened or updated with the drill's summary (RTO, RPO, the failed step),
 * closed once a drill of that environment passes; a cancelled drill leaves the issue as it is.
 *
 *   npx tsx .github/scripts/drill-report.ts sync --reports <dir>   (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_RUN_ID)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { exitCodeOf, summaryMarkdown, type DrillReport } from "../../src/drill/report";
import { gitHubFromEnv, runReportCli, syncEnvironmentIssue, type EnvironmentState, type IssueKind } from "./github-issues";

export const DRILL_LABEL = "restore-drill";

export function drillIssueMarker(environment: string): string {
  return `<!-- restore-drill:environment=${environment} -->`;
}

export const DRILL_ISSUES: IssueKind = {
  label: { name: DRILL_LABEL, color: "b60205", description: "The monthly restore drill did not pass (docs/operations.md)" },
  marker: drillIssueMarker,
  title: (environment) => `Restore drill of ${environment} did not pass`,
  closing: (environment, runUrl) => `The restore drill of \`${environment}\` passed (run ${runUrl}). Closing.`,
};

/** What the issue should say about one drill report. */
export function drillIssueState(report: DrillReport, runUrl: string): EnvironmentState {
  const code = exitCodeOf(report);
  const attention = code === 0 ? "clear" : report.outcome === "cancelled" && report.cleanup.confirmedGone !== false ? "unknown" : "open";
  const body = [
    drillIssueMarker(report.environment),
    summaryMarkdown(report).trimEnd(),
    "",
    `Run: ${runUrl}. What to do with this result: docs/operations.md, "What to do with each result" (exit ${code}).`,
    "",
  ].join("\n");
  return { environment: report.environment, attention, body };
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { reports: { type: "string", default: "drill-reports" } } });
  if (command !== "sync") throw new Error(`unknown command ${JSON.stringify(command)}; allowed: sync`);
  const { github, runUrl } = gitHubFromEnv(process.env);
  const files = fs.existsSync(values.reports) ? fs.readdirSync(values.reports, { recursive: true, encoding: "utf8" }).filter((name) => /(^|\/)drill-report-[^/]+\.json$/.test(name)) : [];
  for (const file of files.sort()) {
    const report = JSON.parse(fs.readFileSync(path.join(values.reports, file), "utf8")) as DrillReport;
    const { action, issue } = await syncEnvironmentIssue(github, DRILL_ISSUES, drillIssueState(report, runUrl), runUrl);
    process.stdout.write(`${report.environment}: ${report.outcome}; issue ${issue === undefined ? "-" : `#${issue}`} ${action}\n`);
  }
  return 0;
}

if (require.main === module) runReportCli("Drill report", main);
