/*
 * "Applied = approved", proved with the real Terraform CLI on a stack that needs no cloud
 * (terraform_data, Terraform's built-in provider): the plan digest and summary are computed from
 * real `terraform show -json` output, the apply job's check refuses a fresh plan that differs from
 * the approved one (state changed, or the same actions with other values), and Terraform itself
 * refuses a stale saved plan. Skipped, with the reason, where no terraform binary runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { canonicalJson, digestEntries, planDigest } from "../../.github/scripts/plan-digest";
import { runCli, showPlan } from "../../.github/scripts/plan-review";
import { headline, summarizePlan } from "../../.github/scripts/plan-summary";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability, TerraformWorkspace } from "../support/terraform-runner";

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`skipping the real-Terraform plan review tests: ${terraform.reason}`);
const describeWithTerraform = terraform.available ? describe : describe.skip;

const SECRET = "correct-horse-battery-staple";

/** A stack of three terraform_data resources, a sensitive input and a sensitive output. */
const STACK = {
  variable: {
    secret: { type: "string", sensitive: true, default: SECRET },
    size: { type: "string", default: "1" },
  },
  resource: {
    terraform_data: {
      cluster: { input: { tier: "M10", size: "${var.size}", password: "${var.secret}" } },
      endpoint: { input: "endpoint", triggers_replace: ["${var.size}"] },
      secret_version: { input: "${terraform_data.cluster.id}" },
    },
  },
  output: {
    password: { value: "${var.secret}", sensitive: true },
    cluster_id: { value: "${terraform_data.cluster.id}" },
  },
};

describeWithTerraform("applied = approved, with real Terraform (terraform_data stack)", () => {
  let workspace: TerraformWorkspace;
  let scratch: string;
  const bin = terraform.available ? terraform.terraform : "terraform";

  beforeAll(async () => {
    scratch = temporaryDirectory("plan-review");
    fs.mkdirSync(path.join(scratch, "empty-mirror"));
    workspace = TerraformWorkspace.create({
      name: "plan-review",
      terraform: bin,
      // An empty mirror: terraform_data needs no plugin, and nothing may be installed from anywhere.
      installation: { kind: "mirror", mirror: path.join(scratch, "empty-mirror") },
      files: { "main.tf.json": STACK },
    });
    await workspace.init();
  });

  afterAll(() => {
    workspace?.dispose();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** `terraform plan -out <file>` with the given variables, as the plan and apply jobs run it. */
  async function planTo(file: string, variables: Record<string, string> = {}): Promise<void> {
    const vars = Object.entries(variables).flatMap(([name, value]) => ["-var", `${name}=${value}`]);
    await workspace.run(["plan", "-input=false", "-no-color", `-out=${file}`, ...vars], 60_000);
  }

  /** Runs the workflow's publish step; returns its job outputs. */
  function publish(file: string): Record<string, string> {
    const output = path.join(scratch, `${file}.output`);
    const summary = path.join(scratch, `${file}.summary.md`);
    const result = runCli(["publish", "--stack", "audio-pipeline-test", "--dir", workspace.dir, "--plan", file], { output, summary }, (dir, plan) =>
      showPlan(dir, plan, bin),
    );
    expect(result.code, result.lines.join("\n")).toBe(0);
    return Object.fromEntries(
      fs
        .readFileSync(output, "utf8")
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
  }

  /** Runs the apply job's check step against the plan job's outputs. */
  function check(file: string, approved: Record<string, string>): { code: number; message: string } {
    const summary = path.join(scratch, `${file}.check.md`);
    const result = runCli(
      ["check", "--stack", "audio-pipeline-test", "--dir", workspace.dir, "--plan", file, "--salt", approved.salt, "--digest", approved.digest, "--addresses", approved.addresses],
      { summary },
      (dir, plan) => showPlan(dir, plan, bin),
    );
    return { code: result.code, message: result.lines.join("\n") };
  }

  it("summarizes and digests a real plan; sensitive values reach neither, but change the digest", async () => {
    await planTo("first");
    const shown = showPlan(workspace.dir, "first", bin);
    // The plan JSON holds the secret in clear: that is why it never leaves the job.
    expect(JSON.stringify(shown)).toContain(SECRET);

    const summary = summarizePlan(shown);
    expect(summary.resources.map((row) => `${row.action} ${row.address}`).sort()).toEqual([
      "create terraform_data.cluster",
      "create terraform_data.endpoint",
      "create terraform_data.secret_version",
    ]);
    expect(headline(summary)).toBe("3 to add, 0 to change, 0 to destroy, 2 output(s) to change");

    const salt = "ab".repeat(32);
    const entries = canonicalJson(digestEntries(shown, salt));
    expect(entries).not.toContain(SECRET);
    const digest = planDigest(shown, salt);
    expect(Object.keys(digest.addresses).sort()).toEqual([
      "output.cluster_id",
      "output.password",
      "terraform_data.cluster",
      "terraform_data.endpoint",
      "terraform_data.secret_version",
    ]);
    // The same plan file, shown again: the same digest. Another salt: another digest.
    expect(planDigest(showPlan(workspace.dir, "first", bin), salt)).toEqual(digest);
    expect(planDigest(shown, "cd".repeat(32)).digest).not.toBe(digest.digest);

    // Another secret, same actions: the digest changes exactly where the secret is used.
    await planTo("other-secret", { secret: "another-secret" });
    const other = planDigest(showPlan(workspace.dir, "other-secret", bin), salt);
    const differing = Object.keys(digest.addresses).filter((address) => digest.addresses[address] !== other.addresses[address]);
    expect(differing.sort()).toEqual(["output.password", "terraform_data.cluster"]);

    const outputs = publish("first");
    expect(outputs.changes).toBe("true");
    const markdown = fs.readFileSync(path.join(scratch, "first.summary.md"), "utf8");
    expect(markdown).toContain("`audio-pipeline-test`: 3 to add, 0 to change, 0 to destroy");
    expect(markdown).toContain(`Plan digest: \`${outputs.digest}\``);
    expect(markdown).not.toContain(SECRET);
    expect(fs.readFileSync(path.join(scratch, "first.output"), "utf8")).not.toContain(SECRET);
  });

  it("applies the approved plan when the fresh plan has its digest", async () => {
    await planTo("approved");
    const approved = publish("approved");
    await planTo("fresh");
    expect(check("fresh", approved)).toEqual({ code: 0, message: expect.stringContaining("has the approved digest") });
    await workspace.run(["apply", "-input=false", "-no-color", "fresh"], 60_000);
  });

  it("says 'no changes' and asks for no approval when nothing would change", async () => {
    await planTo("unchanged");
    const outputs = publish("unchanged");
    expect(outputs.changes).toBe("false");
    expect(fs.readFileSync(path.join(scratch, "unchanged.summary.md"), "utf8")).toContain("`audio-pipeline-test`: no changes");
  });

  it("refuses a fresh plan that makes the same actions with other values (address and action are not enough)", async () => {
    await planTo("size-2", { size: "2" });
    const approved = publish("size-2");
    await planTo("size-3", { size: "3" });
    const shownApproved = summarizePlan(showPlan(workspace.dir, "size-2", bin));
    const shownFresh = summarizePlan(showPlan(workspace.dir, "size-3", bin));
    const rows = (summary: typeof shownApproved) => summary.resources.map((row) => `${row.action} ${row.address}`);
    expect(rows(shownFresh)).toEqual(rows(shownApproved)); // the same addresses and actions...
    expect(shownApproved.resources.map((row) => `${row.action} ${row.address}`).sort()).toEqual(["replace terraform_data.endpoint", "update terraform_data.cluster"]);
    // The same counts as Terraform's own plan line for that plan file.
    const planLine = /Plan: (\d+ to add, \d+ to change, \d+ to destroy)\./.exec((await workspace.run(["show", "-no-color", "size-2"], 30_000)).stdout)?.[1];
    expect(planLine).toBe("1 to add, 1 to change, 1 to destroy");
    expect(headline(shownApproved)).toBe(planLine);
    const markdown = fs.readFileSync(path.join(scratch, "size-2.summary.md"), "utf8");
    expect(markdown).toContain("> 1 resource(s) will be destroyed or replaced: `terraform_data.endpoint` (replace).");
    expect(markdown.indexOf("[!CAUTION]")).toBeLessThan(markdown.indexOf("| action | resource |"));
    const refused = check("size-3", approved); // ...but not the same plan
    expect(refused.code).toBe(1);
    expect(refused.message).toContain("planned differently than approved: terraform_data.cluster, terraform_data.endpoint");
    expect(refused.message).toContain("Nothing was applied");
  });

  it("refuses after the state changed since approval, and Terraform refuses the stale saved plan", async () => {
    await planTo("before-drift", { size: "2" });
    const approved = publish("before-drift");
    // Someone changes the state after the approval: the resource leaves the state.
    await workspace.run(["state", "rm", "-no-color", "terraform_data.secret_version"], 30_000);
    await planTo("after-drift", { size: "2" });
    const refused = check("after-drift", approved);
    expect(refused.code).toBe(1);
    expect(refused.message).toContain("not approved: terraform_data.secret_version");
    expect(refused.message).toMatch(/title=audio-pipeline-test: plan differs from the approved plan/);

    // The plan saved before the state changed cannot be applied at all.
    const stale = await workspace.run(["apply", "-input=false", "-no-color", "before-drift"], 60_000, [1]);
    expect(stale.stderr + stale.stdout).toContain("Saved plan is stale");
  });
});

describe("plan-review.ts failed: a plan that did not complete", () => {
  it("says so in the job summary and in the pull request's summary file, even before the directory exists", () => {
    const directory = temporaryDirectory("plan-failed");
    try {
      const summary = path.join(directory, "step-summary.md");
      const file = path.join(directory, "plan-summary", "audio-pipeline-dev.md");
      expect(runCli(["failed", "--stack", "audio-pipeline-dev", "--summary-file", file], { summary })).toEqual({ code: 0, lines: [] });
      for (const written of [summary, file]) expect(fs.readFileSync(written, "utf8")).toMatch(/^#### `audio-pipeline-dev`: plan failed\n/);
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});
