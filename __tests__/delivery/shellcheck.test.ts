/*
 * shellcheck over every `run:` script of the workflows and every .sh file of the repository, with
 * its optional checks on (SC2312 among them: a failure masked inside `$(a | b)` is how the
 * head-of-main check once printed "main is now at " with nothing after it). Skipped, with the
 * reason, where shellcheck is not installed (.ci/run installs Debian's package).
 *
 * Left out, each for a reason:
 *   SC2250 (braces around every variable) and SC2292 ([[ ]] over [ ]): style only;
 *   SC2154 (variable referenced but not assigned), in `run:` scripts only: their variables come
 *   from the step's env: and from the runner (GITHUB_SHA, ...).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { temporaryDirectory } from "../support/temporary-directory";
import { loadWorkflows } from "./support/workflows";

const EXCLUDED = ["SC2250", "SC2292"];
const EXCLUDED_IN_RUN = [...EXCLUDED, "SC2154"];

const probe = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
const available = probe.status === 0;
const version = available ? /version: (\S+)/.exec(probe.stdout)?.[1] : undefined;
if (!available) console.warn(`skipping shellcheck: shellcheck is not installed (${probe.error?.message ?? probe.stderr.trim()}); .ci/run installs it (apt-get install shellcheck)`);

/** The shell a step declares: its own `shell:`, else the job's and the workflow's defaults (unset: GitHub runs bash -e). */
function shellOf(workflow: Record<string, any>, job: Record<string, any>, step: Record<string, any>): string {
  return step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? "(unset: bash -e, without pipefail)";
}

/** Every `run:` script, by where it is. */
function runScripts(): { where: string; script: string; shell: string }[] {
  return loadWorkflows().flatMap(({ file, workflow }) =>
    Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
      (job.steps ?? []).flatMap((step, index) => (step.run === undefined ? [] : [{ where: `${file} ${jobId} step ${index + 1} (${step.name ?? step.run.split("\n")[0]})`, script: step.run, shell: shellOf(workflow as any, job as any, step as any) }])),
    ),
  );
}

/** Every shell script the repository holds (git's list: what CI checks out): .sh files, and files with a sh/bash shebang (.ci/run). */
function shellFiles(): string[] {
  const listed = spawnSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" });
  return listed.stdout
    .split("\n")
    .filter((file) => file !== "" && fs.existsSync(file) && fs.statSync(file).isFile())
    .filter((file) => file.endsWith(".sh") || /^#!\S*(\/env\s+)?(ba)?sh\b|^#!\S*\/(ba)?sh\b/.test(fs.readFileSync(file, "utf8").slice(0, 80).split("\n")[0]));
}

function shellcheck(args: string[], input?: string): string[] {
  const result = spawnSync("shellcheck", ["-f", "gcc", "-o", "all", ...args], { encoding: "utf8", input });
  if (result.status !== 0 && result.stdout.trim() === "") throw new Error(`shellcheck failed: ${result.stderr}`);
  return result.stdout.split("\n").filter(Boolean);
}

describe.skipIf(!available)(`shellcheck ${version ?? ""} (optional checks on)`, () => {
  it("finds nothing in any run: script of the workflows", () => {
    const scripts = runScripts();
    expect(scripts.length).toBeGreaterThan(10);
    expect(scripts.filter(({ shell }) => shell !== "bash")).toEqual([]);
    // One shellcheck process for all of them: a file per script, named after where it is.
    const directory = temporaryDirectory("shellcheck");
    try {
      const files = scripts.map(({ script }, index) => {
        const file = path.join(directory, `script-${index}.sh`);
        fs.writeFileSync(file, script);
        return file;
      });
      const findings = shellcheck(["-s", "bash", "-e", EXCLUDED_IN_RUN.join(","), ...files]).map((line) => {
        const index = Number(/script-(\d+)\.sh:/.exec(line)?.[1]);
        return `${scripts[index]?.where ?? "?"}: ${line.replace(/^.*script-\d+\.sh:/, "")}`;
      });
      expect(findings).toEqual([]);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });

  it("finds nothing in any .sh file or shell script (.ci/run)", () => {
    const files = shellFiles();
    expect(files).toContain(path.join(".github", "scripts", "push-errored-state.sh"));
    expect(files).toContain(path.join(".ci", "run"));
    expect(files.flatMap((file) => shellcheck(["-e", EXCLUDED.join(","), file]))).toEqual([]);
  });

  it("does find what it is for: a masked failure in $(a | b), an unused variable, an unquoted expansion", () => {
    expect(shellcheck(["-s", "bash", "-e", EXCLUDED_IN_RUN.join(","), "-"], 'head="$(curl -fsS "$URL" | grep -o sha)"\necho "$head"\n').join("\n")).toContain("SC2312");
    expect(shellcheck(["-s", "bash", "-e", EXCLUDED_IN_RUN.join(","), "-"], "for attempt in 1 2; do sleep 1; done\n").join("\n")).toContain("SC2034");
    expect(shellcheck(["-s", "bash", "-e", EXCLUDED_IN_RUN.join(","), "-"], "rm -rf $DIR/x\n").join("\n")).toContain("SC2086");
  });
});
