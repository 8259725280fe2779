/*
 * The head-of-main check (current-head.ts): only the run of the current head of main deploys. Its
 * script runs as the jobs run it (shell: bash, i.e. bash --noprofile --norc -eo pipefail), with a
 * stand-in curl for GitHub's API; it says clearly when it could not read main.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { temporaryDirectory } from "../support/temporary-directory";
import { loadWorkflow } from "./support/workflows";

let scratch: string;
beforeAll(() => {
  scratch = temporaryDirectory("head-of-main");
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe("the head-of-main check, as the first job runs it (bash -eo pipefail, a stand-in curl)", () => {
  const script = loadWorkflow("deploy.yml").jobs["current-head"].steps[0].run!;
  /** `answer`: GitHub's body; `fail`: curl's exit code and message instead (e.g. 22 for HTTP 5xx with -f). */
  function run(ref: string, sha: string, head: string, options: { answer?: string; fail?: { code: number; message: string } } = {}) {
    const bin = fs.mkdtempSync(path.join(scratch, "curl-"));
    // The shape of GitHub's answer to GET /repos/{owner}/{repo}/git/ref/heads/main.
    const answer = options.answer ?? JSON.stringify({ ref: "refs/heads/main", node_id: "x", object: { sha: head, type: "commit", url: "https://api.github.com/x" } }, null, 2);
    fs.writeFileSync(path.join(bin, "answer.json"), answer);
    const failing = options.fail ? `echo "curl: ${options.fail.message}" >&2; exit ${options.fail.code}` : `cat "${bin}/answer.json"`;
    fs.writeFileSync(path.join(bin, "curl"), `#!/bin/sh\necho "$*" > "${bin}/args"\n${failing}\n`, { mode: 0o755 });
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
      encoding: "utf8",
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        GITHUB_REF: ref,
        GITHUB_SHA: sha,
        GITHUB_REPOSITORY: "org/audio-pipeline",
        GITHUB_API_URL: "https://api.github.com",
        GH_TOKEN: "t",
      },
    });
    return { ...result, args: fs.existsSync(path.join(bin, "args")) ? fs.readFileSync(path.join(bin, "args"), "utf8").trim() : "" };
  }
  const A = "a".repeat(40);
  const B = "b".repeat(40);

  it("lets the run of the current head of main go on", () => {
    const result = run("refs/heads/main", A, A);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`This run deploys ${A}, the current head of main.\n`);
    expect(result.args).toBe(
      "-fsS --retry 3 --max-time 30 -H Authorization: Bearer t -H Accept: application/vnd.github+json https://api.github.com/repos/org/audio-pipeline/git/ref/heads/main",
    );
  });

  it("stops a run of an older commit (a re-run, or a merge overtaken by a newer one) and says why", () => {
    const result = run("refs/heads/main", A, B);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`::error title=Superseded by a newer commit of main::This run deploys ${A}, but main is now at ${B}`);
  });

  it("stops a dispatch of another branch before asking GitHub anything", () => {
    const result = run("refs/heads/feature", A, A);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error title=Only main is deployed::This run is for refs/heads/feature.");
    expect(result.args).toBe("");
  });

  it("says it could not read main when GitHub does not answer (never 'main is now at ' with nothing after it)", () => {
    const result = run("refs/heads/main", A, A, { fail: { code: 22, message: "(22) The requested URL returned error: 503" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The requested URL returned error: 503");
    expect(result.stdout).toBe(
      `::error title=Could not read the head of main::GET https://api.github.com/repos/org/audio-pipeline/git/ref/heads/main failed (curl says why, above). Whether ${A} is still the head of main is unknown, so nothing was deployed by this job. Re-run it once GitHub answers.\n`,
    );
    expect(result.stdout).not.toContain("main is now at");
  });

  it("says so when GitHub's answer names no commit", () => {
    const result = run("refs/heads/main", A, A, { answer: '{"message":"Not Found"}' });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain("::error title=Could not read the head of main::GitHub's answer to GET https://api.github.com/repos/org/audio-pipeline/git/ref/heads/main names no commit.");
  });
});
