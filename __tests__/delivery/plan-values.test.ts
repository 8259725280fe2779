/*
 * Approvers read values: the plan summary (job summary, and the pull-request comment, which posts
 * the same Markdown) shows every changed attribute before → after, masked as Terraform masks it,
 * within a size limit that points at the job log. Checked on plan JSON, and on real Terraform's.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parsePlanJson, type ShownPlan } from "../../.github/scripts/plan-digest";
import { runCli, showPlan } from "../../.github/scripts/plan-review";
import { FULL_PLAN, renderSummary, summarizePlan } from "../../.github/scripts/plan-summary";
import { attributeChanges, MAX_VALUE_CHARS, SENSITIVE, UNKNOWN } from "../../.github/scripts/plan-values";
import { temporaryDirectory } from "../support/temporary-directory";
import { builtinWorkspace } from "../support/builtin-workspace";
import { terraformAvailability } from "../support/terraform-runner";

const SECRET = "hunter2-correct-horse";

describe("attribute changes, masked as Terraform masks them", () => {
  it("an update lists only what changes, nested paths included, numbers with every digit", () => {
    const plan = parsePlanJson(
      JSON.stringify({
        format_version: "1.2",
        resource_changes: [
          {
            address: "mongodbatlas_advanced_cluster.cluster",
            change: {
              actions: ["update"],
              before: { name: "c", disk: 10, specs: [{ size: "M10", nodes: 3 }], tags: { team: "a" } },
              after: { name: "c", disk: 20, specs: [{ size: "M20", nodes: 3 }], tags: { team: "a", "cost-center": "x y" } },
              after_unknown: {},
              before_sensitive: {},
              after_sensitive: {},
            },
          },
        ],
      }).replace('"disk":20', '"disk":9007199254740993'),
    );
    expect(attributeChanges(plan.resource_changes![0].change)).toEqual([
      { path: "disk", before: "10", after: "9007199254740993" },
      { path: "specs[0].size", before: '"M10"', after: '"M20"' },
      { path: 'tags["cost-center"]', before: "null", after: '"x y"' },
    ]);
  });

  it("sensitive values read (sensitive value) on either side; unknown ones (known after apply); a create lists what it sets", () => {
    const create: ShownPlan["resource_changes"] = [
      {
        address: "aws_secretsmanager_secret_version.v",
        change: {
          actions: ["create"],
          before: null,
          after: { secret_string: SECRET, nested: { token: SECRET, plain: "p" }, version_stages: null },
          after_unknown: { id: true, arn: true, version_stages: true },
          before_sensitive: false,
          after_sensitive: { secret_string: true, nested: { token: true } },
        },
      },
    ];
    const rows = attributeChanges(create[0].change);
    expect(rows).toEqual([
      { path: "arn", before: "null", after: UNKNOWN },
      { path: "id", before: "null", after: UNKNOWN },
      { path: "nested.plain", before: "null", after: '"p"' },
      { path: "nested.token", before: "null", after: SENSITIVE },
      { path: "secret_string", before: "null", after: SENSITIVE },
      { path: "version_stages", before: "null", after: UNKNOWN },
    ]);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
    const rotate = { actions: ["update"], before: { s: "old" }, after: { s: "new" }, after_unknown: {}, before_sensitive: { s: true }, after_sensitive: { s: true } };
    expect(attributeChanges(rotate)).toEqual([{ path: "s", before: SENSITIVE, after: SENSITIVE }]);
    // A whole sensitive value (an output): masked, and listed only when it changes.
    expect(attributeChanges({ actions: ["update"], before: "a", after: "b", before_sensitive: true, after_sensitive: true })).toEqual([{ path: "(value)", before: SENSITIVE, after: SENSITIVE }]);
    expect(attributeChanges({ actions: ["update"], before: "a", after: "a", before_sensitive: true, after_sensitive: true })).toEqual([]);
    expect(attributeChanges({ actions: ["delete"], before: { a: 1 }, after: null })).toEqual([]);
  });

  it("cuts a long value, and the summary stays within its size limit, pointing at the job log", () => {
    const long = "x".repeat(MAX_VALUE_CHARS * 3);
    const [row] = attributeChanges({ actions: ["update"], before: { v: "" }, after: { v: long }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} });
    expect(row.after.length).toBe(MAX_VALUE_CHARS);
    expect(row.after.endsWith("…")).toBe(true);
    const many: ShownPlan = {
      format_version: "1.2",
      resource_changes: Array.from({ length: 400 }, (_item, index) => ({
        address: `terraform_data.r${index}`,
        change: { actions: ["update"], before: { input: index }, after: { input: index + 1 }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
      })),
    };
    const markdown = renderSummary(summarizePlan(many), { stack: "s", maxChars: 20_000 });
    expect(markdown.length).toBeLessThanOrEqual(20_000);
    expect(markdown).toMatch(new RegExp(`\\d+ of 400 change\\(s\\) not shown here \\(size limit\\): ${FULL_PLAN.replace(/[()`]/g, "\\$&")}`));
    expect(markdown).toContain("input: 0 → 1");
    const tiny = renderSummary(summarizePlan(many), { stack: "s", maxChars: 2_000 });
    expect(tiny.length).toBeLessThanOrEqual(2_000);
    expect(tiny).toContain("400 change(s) are too many to list here (size limit)");
  });

  it("a value cannot close the code block it is printed in", () => {
    const markdown = renderSummary(
      summarizePlan({ format_version: "1.2", resource_changes: [{ address: "terraform_data.a", change: { actions: ["update"], before: { v: "a" }, after: { v: "```\n# injected" } } }] }),
      { stack: "s" },
    );
    expect(markdown.split("\n").filter((line) => line.trim().startsWith("```")).length).toBe(2);
  });
});

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`skipping the real-Terraform plan value tests: ${terraform.reason}`);

describe.skipIf(!terraform.available)("the summary of a real plan (terraform_data), job summary and pull-request file alike", () => {
  it("shows before → after, masks the sensitive input, and says what is known after apply", async () => {
    const scratch = temporaryDirectory("plan-values");
    const bin = terraform.available ? terraform.terraform : "terraform";
    const { workspace, dispose } = await builtinWorkspace("plan-values", bin, {
      "main.tf.json": {
        variable: { secret: { type: "string", sensitive: true, default: SECRET }, size: { type: "string", default: "1" } },
        resource: { terraform_data: { cluster: { input: { size: "${var.size}", password: "${var.secret}" } }, follower: { input: "${terraform_data.cluster.id}" } } },
        output: { password: { value: "${var.secret}", sensitive: true } },
      },
    });
    try {
      await workspace.run(["apply", "-input=false", "-no-color", "-auto-approve"], 60_000);
      await workspace.run(["plan", "-input=false", "-no-color", "-out=resize", "-var", "size=2", "-var", "secret=rotated-secret"], 60_000);
      const summary = path.join(scratch, "step-summary.md");
      const file = path.join(scratch, "plan-summary", "stack.md");
      const result = runCli(["publish", "--stack", "audio-pipeline-test", "--dir", workspace.dir, "--plan", "resize", "--summary-file", file], { summary }, (dir, plan) => showPlan(dir, plan, bin));
      expect(result.code, result.lines.join("\n")).toBe(0);
      const markdown = fs.readFileSync(summary, "utf8");
      expect(markdown).toContain("- `terraform_data.cluster`: update");
      expect(markdown).toContain('input.size: "1" → "2"');
      expect(markdown).toContain(`input.password: ${SENSITIVE} → ${SENSITIVE}`);
      expect(markdown).toContain(`output.${"password"}`.replace("output.", "output `") + "`: update");
      expect(markdown).not.toContain(SECRET);
      expect(markdown).not.toContain("rotated-secret");
      // The pull-request comment posts this same file.
      expect(fs.readFileSync(file, "utf8").trim()).toBe(markdown.trim());
      // Terraform's own wording for the same plan.
      const shown = (await workspace.run(["show", "-no-color", "resize"], 30_000)).stdout;
      expect(shown).toContain(SENSITIVE);
      await workspace.run(["plan", "-input=false", "-no-color", "-out=replace", "-replace=terraform_data.cluster"], 60_000);
      const replaced = renderSummary(summarizePlan(showPlan(workspace.dir, "replace", bin)), { stack: "s" });
      expect(replaced).toContain(`id: "`);
      expect(replaced).toContain(`→ ${UNKNOWN}`);
      expect(shown + (await workspace.run(["show", "-no-color", "replace"], 30_000)).stdout).toContain(UNKNOWN);
    } finally {
      dispose();
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);
});
