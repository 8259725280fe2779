/*
 * One GitHub issue per environment and kind (drift, a failed restore drill), kept in step with the
 * latest report: opened or updated while the environment needs attention, closed with a comment
 * once it no longer does, left alone when the report knows nothing. Found by a marker in its body,
 * under its label. The base URL comes from GITHUB_API_URL, so tests use a loopback stand-in.
 */
import { DEFAULT_GITHUB_API_URL } from "../../src/github/repository-rules";

export interface IssueKind {
  readonly label: { readonly name: string; readonly color: string; readonly description: string };
  /** An HTML comment in the body that names the environment. */
  readonly marker: (environment: string) => string;
  readonly title: (environment: string) => string;
  /** The comment written when the issue is closed. */
  readonly closing: (environment: string, runUrl: string) => string;
}

export interface EnvironmentState {
  readonly environment: string;
  /** open: needs attention; clear: no longer; unknown: the run learned nothing (leave the issue). */
  readonly attention: "open" | "clear" | "unknown";
  /** Markdown, starting with the kind's marker. */
  readonly body: string;
}

export type IssueAction = "opened" | "updated" | "closed" | "none";

/** The few GitHub REST calls the reports make. */
export class GitHubIssues {
  constructor(
    private readonly apiUrl: string,
    private readonly repository: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.apiUrl.replace(/\/+$/, "")}/repos/${this.repository}${route}`, {
      method,
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${this.token}`,
        "X-GitHub-Api-Version": "2022-11-28",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`GitHub ${method} /repos/${this.repository}${route} answered ${response.status}: ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  openIssues(label: string): Promise<{ number: number; body?: string | null; pull_request?: unknown }[]> {
    return this.call("GET", `/issues?state=open&labels=${encodeURIComponent(label)}&per_page=100`);
  }

  async ensureLabel(label: IssueKind["label"]): Promise<void> {
    try {
      await this.call("GET", `/labels/${encodeURIComponent(label.name)}`);
    } catch {
      await this.call("POST", "/labels", label);
    }
  }

  create(title: string, body: string, label: string): Promise<{ number: number }> {
    return this.call("POST", "/issues", { title, body, labels: [label] });
  }

  update(issue: number, body: string): Promise<unknown> {
    return this.call("PATCH", `/issues/${issue}`, { body });
  }

  comment(issue: number, body: string): Promise<unknown> {
    return this.call("POST", `/issues/${issue}/comments`, { body });
  }

  close(issue: number): Promise<unknown> {
    return this.call("PATCH", `/issues/${issue}`, { state: "closed", state_reason: "completed" });
  }
}

export async function syncEnvironmentIssue(github: GitHubIssues, kind: IssueKind, state: EnvironmentState, runUrl: string): Promise<{ action: IssueAction; issue?: number }> {
  const marker = kind.marker(state.environment);
  const open = (await github.openIssues(kind.label.name)).filter((issue) => !issue.pull_request && (issue.body ?? "").includes(marker));
  const [existing, ...duplicates] = open.map((issue) => issue.number).sort((a, b) => a - b);
  if (state.attention === "open") {
    if (existing !== undefined) {
      await github.update(existing, state.body);
      return { action: "updated", issue: existing };
    }
    await github.ensureLabel(kind.label);
    const created = await github.create(kind.title(state.environment), state.body, kind.label.name);
    return { action: "opened", issue: created.number };
  }
  if (state.attention === "clear" && existing !== undefined) {
    for (const issue of [existing, ...duplicates]) {
      await github.comment(issue, kind.closing(state.environment, runUrl));
      await github.close(issue);
    }
    return { action: "closed", issue: existing };
  }
  return { action: "none", ...(existing === undefined ? {} : { issue: existing }) };
}

/** The client and the run's link from the workflow's environment (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_RUN_ID). */
export function gitHubFromEnv(env: Readonly<Record<string, string | undefined>>): { readonly github: GitHubIssues; readonly runUrl: string } {
  const { GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID } = env;
  if (!GITHUB_TOKEN || !GITHUB_REPOSITORY) throw new Error("GITHUB_TOKEN and GITHUB_REPOSITORY must be set");
  return {
    github: new GitHubIssues(GITHUB_API_URL || DEFAULT_GITHUB_API_URL, GITHUB_REPOSITORY, GITHUB_TOKEN),
    runUrl: `${GITHUB_SERVER_URL || "https://github.com"}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID ?? ""}`,
  };
}

/** Runs a report script's main, and turns a thrown error into one ::error line and exit 1. */
export function runReportCli(title: string, main: (argv: readonly string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`::error title=${title}::${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
