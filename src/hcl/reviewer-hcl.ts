/*
 * The reviewer copy of each stack in HCL: `<outdir>/hcl/<stack>/cdk.tf`, rendered from the
 * stack's published `stacks/<stack>/cdk.tf.json` and formatted by `terraform fmt`.
 *
 * Its own folder, never beside cdk.tf.json: Terraform loads every .tf and .tf.json of a directory,
 * so both files together define every block twice. The folder sits at the same depth as the
 * stack's, so a relative path in the configuration (the local state file) means the same in
 * both. The manifest keeps pointing at cdk.tf.json: `cdktf diff` and `deploy` use the JSON only.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { TerraformStack } from "cdktf";
import { blockSchemaOf } from "./block-schema";
import { renderHcl, type JsonObject } from "./render-hcl";
import { ReviewerHclError } from "./reviewer-hcl-error";
import { formatHclFiles } from "./terraform-fmt";

/** The environment variable `npm run synth:hcl` sets to ask the app for reviewer HCL. */
export const REVIEWER_HCL_VARIABLE = "SYNTH_REVIEWER_HCL";

/**
 * Whether this run should write reviewer HCL (SYNTH_REVIEWER_HCL=1). `cdktf synth --hcl` is refused:
 * after the app, the cdktf CLI rewrites every file the manifest names as HCL, and the manifest
 * names cdk.tf.json, which would be broken.
 */
export function reviewerHclRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.SYNTH_HCL_OUTPUT === "true" || env.SYNTH_HCL_OUTPUT === "1") {
    throw new ReviewerHclError(
      "`cdktf synth --hcl` is not supported here: the cdktf CLI would rewrite each stack's cdk.tf.json as HCL. " +
        "Run `npm run synth:hcl`: it writes cdktf.out/hcl/<stack>/cdk.tf and keeps the JSON for diff and deploy.",
    );
  }
  return env[REVIEWER_HCL_VARIABLE] === "1";
}

/** Folder under the output directory that holds one sub-folder of HCL per stack. */
export const REVIEWER_HCL_DIR = "hcl";

/** The reviewer HCL file of one stack, relative to the output directory. */
export function reviewerHclPath(stack: string): string {
  return path.join(REVIEWER_HCL_DIR, stack, "cdk.tf");
}

/** Removes one stack's reviewer HCL, so that no earlier run's copy looks current. */
export function removeReviewerHcl(outdir: string, stack: string): void {
  fs.rmSync(path.join(outdir, REVIEWER_HCL_DIR, stack), { recursive: true, force: true });
}

/** What {@link updateReviewerHcl} needs. */
export interface ReviewerHclOptions {
  /** The output directory, whose `stacks/<stack>/cdk.tf.json` were just written. */
  readonly outdir: string;
  /** The synthesized stacks: their constructs tell nested blocks from attributes. */
  readonly stacks: readonly TerraformStack[];
  /** Write the HCL (`synth:hcl`); when false, only remove an earlier run's copy. */
  readonly write: boolean;
}

/**
 * Writes (or, with `write: false`, removes) `<outdir>/hcl/<stack>/cdk.tf` for every stack.
 * All or nothing: the files are rendered and formatted in a staging folder first, so a failure
 * (no terraform CLI, a construct the renderer does not know) leaves no HCL at all.
 */
export function updateReviewerHcl(options: ReviewerHclOptions): void {
  const outdir = path.resolve(options.outdir);
  const names = options.stacks.map((stack) => stack.node.id);
  for (const name of names) removeReviewerHcl(outdir, name);
  if (!options.write) return;

  const schema = blockSchemaOf(options.stacks);
  const staging = fs.mkdtempSync(`${outdir}.hcl-staging-`);
  try {
    for (const name of names) {
      const json = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")) as JsonObject;
      const header = [
        `# ${name}: the reviewer copy of stacks/${name}/cdk.tf.json in HCL, written by \`npm run synth:hcl\`.`,
        "# Same configuration, for reading and diffing. cdktf diff and deploy use the JSON, not this file.",
        "",
      ].join("\n");
      fs.mkdirSync(path.join(staging, name));
      fs.writeFileSync(path.join(staging, name, "cdk.tf"), `${header}\n${renderHcl(json, schema)}`);
    }
    formatHclFiles(staging);
    for (const name of names) fs.cpSync(path.join(staging, name), path.join(outdir, REVIEWER_HCL_DIR, name), { recursive: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
