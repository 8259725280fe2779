/*
 * deploy-environment.yml: one environment's jobs (plan, apply, seed plan, seed approval, seed
 * apply), called by deploy.yml with that environment's entry (environment-entry.ts) as inputs.
 * The jobs that join the environment's queue come from queuedJob.
 */
import { githubEnvironmentName } from "../../../src/environment/names";
import { entryInputs } from "../environment-entry";
import { applyStepScript, freshPlanStepScript } from "../lock-holding-steps";
import { FRESH_HEAD_CHECK, queuedJob, type QueuedJobSpec } from "./queued-job";
import {
  ATLAS_ENV,
  awsCredentials,
  checkout,
  currentHeadStep,
  deployPrelude,
  environmentEnv,
  fromInputs,
  header,
  install,
  LIMITS,
  render,
  requiredSecretsStep,
  RUN_DEFAULTS,
  setupNode,
  STACK_DIR,
  terraformInit,
  value,
  WORKFLOW_ENV,
  type Job,
  type Step,
} from "./shared";

export const DEPLOY_ENVIRONMENT_FILE = "deploy-environment.yml";

/**
 * Production only, before any role is assumed: GitHub's review history of this run must hold an
 * approval of `approvalEnvironment` by someone other than the commit's author (approval-check.ts).
 * A missing or bypassed reviewer rule then stops the job instead of applying unreviewed.
 */
function approvalCheck(approvalEnvironment: string): Step {
  return {
    name: "Refuse to go on without a recorded approval by someone other than the commit's author (production)",
    if: "${{ inputs.production }}",
    env: { GITHUB_TOKEN: "${{ github.token }}", APPROVAL_ENVIRONMENT: approvalEnvironment },
    run: 'npx tsx .github/scripts/approval-check.ts --environment "$APPROVAL_ENVIRONMENT"',
  };
}

/** The inputs of deploy-environment.yml: one environment entry (environments.ts), plus the head check's attempt. */
export const ENVIRONMENT_INPUTS = {
  ...entryInputs(),
  head_checked_attempt: { type: "string", description: "the run attempt in which the caller's current-head job passed" },
} as const;


/** One environment's jobs of the deploy pipeline, reading the environment from `inputs`. */
function environmentJobs(): Record<string, Job> {
  const environment = value(fromInputs, "environment");
  // On a failure and on a cancel (a job timeout is one): a step with failure() alone does not run then.
  const erroredState = `\${{ (failure() || cancelled()) && hashFiles(format('{0}/errored.tfstate', env.STACK_DIR)) != '' }}`;
  const seedLabel = value(fromInputs, "runner_label");

  const plan = queuedJob({
    name: "plan ${{ inputs.stack }}",
    runsOn: "ubuntu-24.04",
    timeoutMinutes: LIMITS.plan.timeoutMinutes,
    purpose: "plan",
    changesAnything: false,
    outputs: {
      salt: "${{ steps.review.outputs.salt }}",
      digest: "${{ steps.review.outputs.digest }}",
      addresses: "${{ steps.review.outputs.addresses }}",
      changes: "${{ steps.review.outputs.changes }}",
    },
    // To see whether another run is applying this environment (its apply job is in no queue).
    readPermissions: ["actions"],
    steps: [
      ...deployPrelude,
      {
        name: "Wait for another run's apply of this environment to finish",
        env: { GH_TOKEN: "${{ github.token }}" },
        run: 'npx tsx .github/scripts/deploy-order.ts --running-applies --environment "$ENVIRONMENT"',
      },
      awsCredentials("plan", fromInputs, LIMITS.plan.sessionSeconds),
      requiredSecretsStep(githubEnvironmentName("$ENVIRONMENT", "plan")),
      terraformInit(),
      {
        name: "terraform plan -out",
        id: "plan",
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        // The read-only plan role cannot write the lock; the apply job plans again under the lock.
        run: "terraform plan -input=false -no-color -lock=false -out=tfplan",
      },
      {
        name: "Plan summary and digest for the approvers",
        id: "review",
        run: 'npx tsx .github/scripts/plan-review.ts publish --stack "$STACK" --dir "$STACK_DIR" --plan tfplan',
      },
      {
        name: "Say the plan failed",
        if: "${{ failure() && steps.plan.outcome == 'failure' }}",
        run: 'npx tsx .github/scripts/plan-review.ts failed --stack "$STACK"',
      },
    ],
  });

  const apply = queuedJob({
    name: "apply ${{ inputs.stack }}",
    needs: ["plan"],
    // Nothing to apply, nothing to approve: the job (and its approval) is skipped.
    when: "needs.plan.outputs.changes == 'true'",
    runsOn: "ubuntu-24.04",
    timeoutMinutes: LIMITS.apply.timeoutMinutes,
    // Production: required reviewers on <environment>-deploy make this the approval. It waits for
    // them in no queue (docs/ci-cd.md): two applies of one environment are kept apart by the state
    // lock (-lock-timeout) and the head-of-main check that starts the job.
    purpose: "deploy",
    changesAnything: true,
    waitsForApproval: true,
    // To see, in this run's jobs, that the environments before it have finished.
    readPermissions: ["actions"],
    steps: [
      ...deployPrelude,
      approvalCheck(githubEnvironmentName(environment, "deploy")),
      {
        name: "Wait for the environments this one deploys after (this run, this commit)",
        env: { GH_TOKEN: "${{ github.token }}" },
        run: 'npx tsx .github/scripts/deploy-order.ts --environment "$ENVIRONMENT"',
      },
      awsCredentials("deploy", fromInputs, LIMITS.apply.sessionSeconds),
      requiredSecretsStep(githubEnvironmentName("$ENVIRONMENT", "deploy")),
      terraformInit(),
      {
        name: "terraform plan -out (fresh, under the state lock)",
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        run: freshPlanStepScript(),
      },
      {
        name: "Refuse a plan other than the approved one",
        env: {
          APPROVED_SALT: "${{ needs.plan.outputs.salt }}",
          APPROVED_DIGEST: "${{ needs.plan.outputs.digest }}",
          APPROVED_ADDRESSES: "${{ needs.plan.outputs.addresses }}",
        },
        run: 'npx tsx .github/scripts/plan-review.ts check --stack "$STACK" --dir "$STACK_DIR" --plan tfplan --salt "$APPROVED_SALT" --digest "$APPROVED_DIGEST" --addresses "$APPROVED_ADDRESSES"',
      },
      {
        name: "terraform apply (the saved, approved plan)",
        "working-directory": STACK_DIR,
        env: ATLAS_ENV,
        run: applyStepScript(),
      },
      awsCredentials("deploy", fromInputs, LIMITS.apply.sessionSeconds, {
        name: "AWS credentials again (fresh session of the deploy role, to save the state)",
        if: erroredState,
      }),
      {
        name: "Push errored.tfstate (Terraform could not save the state: failed, cancelled or timed out)",
        if: erroredState,
        "working-directory": STACK_DIR,
        run: "bash ../../../.github/scripts/push-errored-state.sh",
      },
    ],
  });

  /**
   * A seed job: on the environment's VPC runner, with the seed role, after whatever its `when`
   * says; `approval`, when given, runs before the role is assumed (and the job may read approvals).
   */
  const seedJob = (command: "plan" | "apply", spec: Pick<QueuedJobSpec, "name" | "needs" | "when" | "outputs"> & { readonly step: Step; readonly approval?: Step }) => {
    const limits = command === "plan" ? LIMITS.seedPlan : LIMITS.seedApply;
    return queuedJob({
      ...spec,
      evenAfterFailure: true,
      // The seeder reaches the cluster through its PrivateLink hostname, routable only inside the VPC.
      // A label from config/ (environment variables do not resolve in runs-on).
      runsOn: ["self-hosted", seedLabel],
      timeoutMinutes: limits.timeoutMinutes,
      purpose: "seed",
      changesAnything: command === "apply",
      ...(spec.approval ? { readPermissions: ["actions"] as const } : {}),
      steps: [checkout, setupNode, install, ...(spec.approval ? [spec.approval] : []), awsCredentials("seed", fromInputs, limits.sessionSeconds), spec.step],
    });
  };
  const seedEnv = { AWS_REGION: value(fromInputs, "region") };
  const seedPlan = seedJob("plan", {
    name: "seed plan ${{ inputs.stack }}",
    needs: ["plan", "apply"],
    when: "needs.plan.result == 'success' && (needs.apply.result == 'success' || needs.apply.result == 'skipped')",
    outputs: { changes: "${{ steps.seed.outputs.changes }}", digest: "${{ steps.seed.outputs.digest }}" },
    step: {
      name: "Seed plan (into the job summary)",
      id: "seed",
      env: seedEnv,
      run: 'npx tsx .github/scripts/seed-plan.ts plan --environment "$ENVIRONMENT" --secret-id "$SEED_SECRET_ID"',
    },
  });

  const seedApproval: Job = {
    name: "approve the seed of ${{ inputs.stack }}",
    needs: ["seed-plan"],
    // Production only, and only when the seed plan changes anything; like every job after the
    // first, only in the attempt that checked the head of main, and it checks again once approved.
    if: `\${{ ${FRESH_HEAD_CHECK} && inputs.production && needs.seed-plan.outputs.changes == 'true' }}`,
    "runs-on": "ubuntu-24.04",
    "timeout-minutes": 5,
    // Required reviewers; no secrets, no role: the seed role trusts only <env>-seed. No concurrency
    // group: it waits for approval. contents: read is what the head check needs to read main.
    environment: githubEnvironmentName(environment, "seedApproval"),
    permissions: { contents: "read" },
    steps: [
      currentHeadStep,
      {
        name: "Record the approved seed plan",
        env: { SEED_DIGEST: "${{ needs.seed-plan.outputs.digest }}" },
        run: 'echo "Approved seed plan digest: $SEED_DIGEST (the seed plan job\'s summary shows the plan)."',
      },
    ],
  };

  const seedApply = seedJob("apply", {
    name: "seed apply ${{ inputs.stack }}",
    needs: ["seed-plan", "approve-seed"],
    // Production: only after the approval; otherwise the approval job is skipped.
    when: "needs.seed-plan.result == 'success' && needs.seed-plan.outputs.changes == 'true' && (needs.approve-seed.result == 'success' || (!inputs.production && needs.approve-seed.result == 'skipped'))",
    approval: approvalCheck(githubEnvironmentName(environment, "seedApproval")),
    step: {
      name: "Refuse a seed plan other than the approved one, then apply it",
      env: { ...seedEnv, APPROVED_SEED_DIGEST: "${{ needs.seed-plan.outputs.digest }}" },
      run: 'npx tsx .github/scripts/seed-plan.ts apply --environment "$ENVIRONMENT" --secret-id "$SEED_SECRET_ID" --digest "$APPROVED_SEED_DIGEST"',
    },
  });

  return { plan, apply, "seed-plan": seedPlan, "approve-seed": seedApproval, "seed-apply": seedApply };
}


export function deployEnvironmentWorkflow(): string {
  const inputs = Object.fromEntries(Object.entries(ENVIRONMENT_INPUTS).map(([name, input]) => [name, { ...input, required: true }]));
  const workflow = {
    name: "deploy one environment",
    on: { workflow_call: { inputs } },
    permissions: {},
    defaults: RUN_DEFAULTS,
    env: { ...WORKFLOW_ENV, ...environmentEnv(fromInputs) },
    jobs: environmentJobs(),
  };
  return (
    header([
      "One environment's part of deploy.yml: plan (summary and digest in the job summary), apply the saved plan after a",
      "fresh plan matched the digest (production: after approval, and only when the plan changes anything), then plan",
      "the seed, approve it (production, only when it changes anything) and apply it. Set-up: docs/ci-cd.md.",
    ]) + render(workflow)
  );
}

