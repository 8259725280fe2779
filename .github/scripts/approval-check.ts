/*
 * Fail closed: before a production apply (or seed apply) assumes any role, prove from GitHub's own
 * record that this run was approved for the job's environment by someone other than the author
 * of the commit being deployed. A reviewer rule that was never set, was removed, or was bypassed
 * leaves no such record, so the job stops here instead of applying unreviewed.
 *
 *   npx tsx .github/scripts/approval-check.ts --environment prod-deploy
 *
 * Reads GITHUB_REPOSITORY, GITHUB_RUN_ID, GITHUB_SHA and GITHUB_TOKEN (the job's token, with
 * `actions: read` for the review history and `contents: read` for the commit), and
 * GITHUB_API_URL (default https://api.github.com; tests point it at a loopback stand-in).
 *
 * Calls (both reads):
 *   GET /repos/{owner}/{repo}/actions/runs/{run_id}/approvals  the run's review history
 *   GET /repos/{owner}/{repo}/commits/{sha}                    the commit's GitHub author and committer
 */
import { parseArgs } from "node:util";
import { DEFAULT_GITHUB_API_URL } from "../../src/github/repository-rules";

/** One entry of the review history (GitHub REST description, schema `environment-approvals`). */
export interface EnvironmentApproval {
  readonly environments: ReadonlyArray<{ readonly name?: string }>;
  readonly state: "approved" | "rejected" | "pending";
  readonly user: { readonly login: string; readonly id: number };
  readonly comment: string;
}

/** The fields of GET /repos/{owner}/{repo}/commits/{ref} (schema `commit`) that name people. */
interface CommitPeople {
  readonly author: { readonly login: string } | null;
  readonly committer: { readonly login: string } | null;
}

export interface ApprovalCheckInput {
  readonly apiUrl: string;
  readonly token: string;
  /** owner/repo */
  readonly repository: string;
  readonly runId: string;
  readonly sha: string;
  /** The GitHub environment whose approval counts, e.g. prod-deploy. */
  readonly environment: string;
}

export interface ApprovalCheckResult {
  readonly ok: boolean;
  /** One line: who approved, or why the job stops. */
  readonly message: string;
}

// GitHub's own account for commits made in the web UI (merges, squashes): it never approves anything.
const WEB_FLOW = "web-flow";

class GithubApiError extends Error {}

async function get<T>(input: ApprovalCheckInput, path: string): Promise<T> {
  const url = `${input.apiUrl.replace(/\/+$/, "")}${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "GET",
      headers: { Accept: "application/vnd.github+json", Authorization: `Bearer ${input.token}`, "X-GitHub-Api-Version": "2022-11-28" },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new GithubApiError(`GET ${path} failed: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const hint = response.status === 403 || response.status === 404 ? " (does the job grant `actions: read` and `contents: read`?)" : "";
    throw new GithubApiError(`GET ${path} answered ${response.status}${hint}`);
  }
  return (await response.json()) as T;
}

/** Checks the run's review history; never throws (a failed call is a refusal that says why). */
export async function checkApproval(input: ApprovalCheckInput): Promise<ApprovalCheckResult> {
  const refuse = (why: string): ApprovalCheckResult => ({
    ok: false,
    message: `${input.environment}: no recorded approval by someone other than the commit's author for run ${input.runId}: ${why}. Nothing was applied and no role was assumed. Fix: add required reviewers to ${input.environment} (npm run deploy -- audio-pipeline-github; npm run doctor), then re-run.`,
  });
  const repo = `/repos/${input.repository}`;
  let approvals: EnvironmentApproval[];
  let commit: CommitPeople;
  try {
    [approvals, commit] = await Promise.all([
      get<EnvironmentApproval[]>(input, `${repo}/actions/runs/${encodeURIComponent(input.runId)}/approvals`),
      get<CommitPeople>(input, `${repo}/commits/${encodeURIComponent(input.sha)}`),
    ]);
  } catch (error) {
    if (error instanceof GithubApiError) return refuse(error.message);
    throw error;
  }
  if (!Array.isArray(approvals)) return refuse("the review history is not a list");
  const author = commit.author?.login;
  if (!author) return refuse(`the commit ${input.sha.slice(0, 7)} has no GitHub author (its e-mail is linked to no account), so an approval by someone else cannot be proven`);
  const people = new Set([author, commit.committer?.login].filter((login): login is string => Boolean(login) && login !== WEB_FLOW).map((login) => login.toLowerCase()));
  const forEnvironment = approvals.filter((entry) => entry.environments?.some((environment) => environment.name === input.environment));
  const approved = forEnvironment.filter((entry) => entry.state === "approved");
  const independent = approved.filter((entry) => entry.user?.login && !people.has(entry.user.login.toLowerCase()));
  if (independent.length > 0) {
    const approvers = [...new Set(independent.map((entry) => entry.user.login))].join(", ");
    return { ok: true, message: `${input.environment}: run ${input.runId} approved by ${approvers}, not the author (${[...people].join(", ")}) of ${input.sha.slice(0, 7)}` };
  }
  if (approved.length > 0) return refuse(`the only approvals are by the commit's author or committer (${[...new Set(approved.map((entry) => entry.user.login))].join(", ")})`);
  if (forEnvironment.some((entry) => entry.state === "rejected")) return refuse("the deployment was rejected");
  return refuse(`the run's review history holds no approval for ${input.environment} (the environment has no required reviewers, or an admin bypassed them)`);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { environment: { type: "string" } } });
  const env = process.env;
  const missing = ["GITHUB_REPOSITORY", "GITHUB_RUN_ID", "GITHUB_SHA", "GITHUB_TOKEN"].filter((name) => !env[name]);
  if (!values.environment || missing.length > 0) {
    process.stdout.write(
      `::error title=Approval not checked::${values.environment ? `missing ${missing.join(", ")}` : "usage: approval-check.ts --environment <github-environment>"}; nothing was applied.\n`,
    );
    return 1;
  }
  const result = await checkApproval({
    apiUrl: env.GITHUB_API_URL || DEFAULT_GITHUB_API_URL,
    token: env.GITHUB_TOKEN as string,
    repository: env.GITHUB_REPOSITORY as string,
    runId: env.GITHUB_RUN_ID as string,
    sha: env.GITHUB_SHA as string,
    environment: values.environment,
  });
  process.stdout.write(result.ok ? `${result.message}\n` : `::error title=No recorded approval::${result.message}\n`);
  return result.ok ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stdout.write(`::error title=Approval not checked::${(error as Error).message}; nothing was applied.\n`);
      process.exitCode = 1;
    },
  );
}
