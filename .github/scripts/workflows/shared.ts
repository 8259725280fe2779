/*
 * What every generated workflow shares: the pinned actions and tools, the common steps, where a
 * job reads its environment's values from (a called workflow's inputs or a matrix entry), and the
 * rendering of a workflow to YAML.
 */
import { stringify } from "yaml";
import { CI_LIMITS as LIMITS } from "../../../src/environment/ci-roles";
import { TERRAFORM_VERSION } from "../../../src/terraform/terraform-version";
import { entryEnv } from "../environment-entry";
import { ALL_SECRETS } from "../required-secrets";

export { LIMITS };

/** Third-party actions, pinned to full commit SHAs (a tag can be moved to other code, a SHA cannot). */
export const ACTIONS = {
  checkout: { ref: "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" },
  setupNode: { ref: "actions/setup-node@49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" },
  setupTerraform: { ref: "hashicorp/setup-terraform@b9cd54a3c349d3f38e8881555d616ced269862dd", version: "v3.1.2" },
  awsCredentials: { ref: "aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df", version: "v4.2.1" },
  uploadArtifact: { ref: "actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2" },
  downloadArtifact: { ref: "actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093", version: "v4.3.0" },
  githubScript: { ref: "actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea", version: "v7.0.1" },
} as const;

/** The Terraform the workflows install: src/terraform/terraform-version.ts, which every stack's required_version reads too. */
export { TERRAFORM_VERSION };

export type Step = Record<string, unknown>;
export type Job = Record<string, unknown>;

export const checkout: Step = { uses: ACTIONS.checkout.ref, with: { "persist-credentials": false } };
export const setupNode: Step = { uses: ACTIONS.setupNode.ref, with: { "node-version": "${{ env.NODE_VERSION }}", cache: "npm" } };
// The wrapper rewrites terraform's stdout and exit codes; the scripts need the real ones.
export const setupTerraform: Step = { uses: ACTIONS.setupTerraform.ref, with: { terraform_version: "${{ env.TERRAFORM_VERSION }}", terraform_wrapper: false } };
export const install: Step = { name: "Install (lockfile)", run: "npm ci --no-audit --no-fund" };
export const synth: Step = { name: "Synthesize", run: "npm run synth" };

/** The only step env that carries Atlas credentials: environment secrets of the job's environment. */
export const ATLAS_ENV = {
  MONGODB_ATLAS_PUBLIC_API_KEY: "${{ secrets.ATLAS_PUBLIC_API_KEY }}",
  MONGODB_ATLAS_PRIVATE_API_KEY: "${{ secrets.ATLAS_PRIVATE_API_KEY }}",
  TF_VAR_atlas_org_id: "${{ secrets.ATLAS_ORG_ID }}",
  // Only read when monitoring.atlasWebhookUrl is set.
  TF_VAR_atlas_alert_webhook_secret: "${{ secrets.ATLAS_ALERT_WEBHOOK_SECRET }}",
};

/**
 * Stops a job whose secrets arrived empty before Terraform runs, naming each secret and the GitHub
 * environment (`githubName`, e.g. "$ENVIRONMENT-plan") that must hold it. Each secret is passed
 * under its own name, only to this step and the Terraform steps.
 */
export function requiredSecretsStep(githubName: string, extra: Step = {}): Step {
  return {
    name: "Refuse empty secrets (each named)",
    ...extra,
    env: Object.fromEntries(ALL_SECRETS.map((name) => [name, `\${{ secrets.${name} }}`])),
    run: `npx tsx .github/scripts/required-secrets.ts "$ENVIRONMENT" --github-environment "${githubName}"`,
  };
}

/**
 * Every `run:` script under `bash --noprofile --norc -eo pipefail`: without `shell:` GitHub runs
 * `bash -e`, where a failure inside a pipeline goes unnoticed.
 */
export const RUN_DEFAULTS = { run: { shell: "bash" } };

/**
 * Where a job's environment values come from: the called workflow's `inputs`, or the pull-request
 * matrix entry. Scripts read them through the environment variables ENVIRONMENT, STACK, STACK_DIR
 * and SEED_SECRET_ID, never through an expression inside `run:`.
 */
export interface Source {
  /** An expression for one field of the environment entry (environments.ts), e.g. `inputs.stack`. */
  readonly field: (name: string) => string;
}
export const fromInputs: Source = { field: (name) => `inputs.${name}` };
export const fromMatrix: Source = { field: (name) => `matrix.target.${name}` };
export const value = (source: Source, name: string) => `\${{ ${source.field(name)} }}`;

/** The environment variables every environment job's scripts read (environment-entry.ts). */
export const environmentEnv = (source: Source) => entryEnv((name) => value(source, name));
export const STACK_DIR = "${{ env.STACK_DIR }}";

export function awsCredentials(purpose: "plan" | "deploy" | "seed", source: Source, sessionSeconds: number, extra: Step = {}): Step {
  return {
    name: `AWS credentials (OIDC, ${purpose} role of the environment)`,
    ...extra,
    uses: ACTIONS.awsCredentials.ref,
    with: {
      "role-to-assume": value(source, `${purpose}_role_arn`),
      "role-session-name": `${purpose}-${value(source, "environment")}-\${{ github.run_id }}`,
      "aws-region": value(source, "region"),
      // Longer than the job may run: an expired session cannot save the state after an apply.
      "role-duration-seconds": sessionSeconds,
    },
  };
}

// The head-of-main check, and its step, live in ../current-head.ts (a script of their own, tested there).
export { CURRENT_HEAD_SCRIPT, currentHeadStep } from "../current-head";

export function preflight(mode: "deploy" | "pull-request", summaryFile?: string): Step {
  const summary = summaryFile ? ` --summary-file ${summaryFile}` : "";
  return {
    name: `Refuse placeholders, local state${mode === "deploy" ? " and a missing runner label" : ""} (config/<environment>.json)`,
    id: "preflight",
    run: `npx tsx .github/scripts/preflight.ts "$ENVIRONMENT" --mode ${mode}${summary}`,
  };
}

export function terraformInit(extra: Step = {}): Step {
  return { name: "terraform init", ...extra, "working-directory": STACK_DIR, run: "terraform init -input=false -no-color" };
}

/** Checkout, install, preflight (before any credential), Terraform and synth: how every deploy job with Terraform starts. */
export const deployPrelude: Step[] = [checkout, setupNode, install, preflight("deploy"), setupTerraform, synth];

export const WORKFLOW_ENV = {
  CHECKPOINT_DISABLE: "1", // no telemetry calls from cdktf-cli or terraform
  NODE_VERSION: "20",
  TERRAFORM_VERSION,
};

export function header(lines: readonly string[]): string {
  return [
    "# GENERATED by .github/scripts/workflows.ts (npm run workflows): do not edit by hand. The same whatever config/ holds:",
    "# the environments come from config/ at run time (.github/scripts/environments.ts).",
    "#",
    ...lines.map((line) => (line ? `# ${line}` : "#")),
    "",
  ].join("\n");
}

/** Appends the version comment to each SHA-pinned `uses:`. */
export function annotatePins(text: string): string {
  let out = text;
  for (const action of Object.values(ACTIONS)) out = out.split(`uses: ${action.ref}\n`).join(`uses: ${action.ref} # ${action.version}\n`);
  return out;
}

export const render = (workflow: object) => annotatePins(stringify(workflow, { lineWidth: 0, aliasDuplicateObjects: false }));

/** The job that lists the environments of config/ for a matrix (outputs list, names, later). */
export function listJob(mode: "deploy" | "pull-request" | "ready", extra: Job = {}): Job {
  return {
    name: "list the environments (config/)",
    ...extra,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": 10,
    permissions: { contents: "read" },
    outputs: { list: "${{ steps.list.outputs.list }}", names: "${{ steps.list.outputs.names }}", later: "${{ steps.list.outputs.later }}" },
    steps: [checkout, setupNode, install, { name: "Environments, in deploy order", id: "list", run: `npx tsx .github/scripts/environments.ts ${mode}` }],
  };
}

