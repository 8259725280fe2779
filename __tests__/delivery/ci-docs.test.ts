/*
 * docs/ci-cd.md against what the workflows really do: one trust policy per environment and
 * purpose, each trusting exactly the one GitHub environment whose jobs assume that role; the
 * section equal to what the script generates from config/; the runbook the scripts point at.
 */
import * as fs from "node:fs";
import { pipelineEnvironments } from "../../.github/scripts/pipeline";
import { ciRoles, trustPolicy, trustPolicySection } from "../../.github/scripts/trust-policies";
import { concreteWorkflows } from "./support/instances";
import { loadWorkflows } from "./support/workflows";

const environments = pipelineEnvironments();
const doc = fs.readFileSync("docs/ci-cd.md", "utf8");

/** The GitHub environments each role is assumed in, over both workflows. */
function environmentsAssuming(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  // What GitHub runs for config/'s environments: the generic jobs with each environment's values.
  for (const workflow of Object.values(concreteWorkflows())) {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps.filter((candidate) => candidate.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
        const role = String(step.with?.["role-to-assume"]);
        found.set(role, new Set([...(found.get(role) ?? []), String(job.environment)]));
      }
    }
  }
  return found;
}

/** Problems of a trust policy: anything but one exact subject naming one environment. */
function trustProblems(policy: Record<string, any>, expectedEnvironment: string): string[] {
  const problems: string[] = [];
  const statements = policy.Statement as Record<string, any>[];
  if (statements.length !== 1) problems.push(`${statements.length} statements`);
  for (const statement of statements) {
    const conditions = statement.Condition ?? {};
    if (Object.keys(conditions).some((operator) => operator !== "StringEquals")) problems.push(`operators ${Object.keys(conditions).join(", ")}`);
    const sub = conditions.StringEquals?.["token.actions.githubusercontent.com:sub"];
    if (typeof sub !== "string" || /[*?]/.test(sub)) problems.push(`subject ${JSON.stringify(sub)} is not one exact string`);
    else if (!sub.endsWith(`:environment:${expectedEnvironment}`)) problems.push(`subject ${sub} does not name ${expectedEnvironment}`);
    if (conditions.StringEquals?.["token.actions.githubusercontent.com:aud"] !== "sts.amazonaws.com") problems.push("no audience condition");
  }
  return problems;
}

describe("roles and trust policies", () => {
  it("each role is assumed in exactly the one GitHub environment its trust policy names", () => {
    const assumed = environmentsAssuming();
    for (const role of ciRoles(environments)) {
      expect([role.roleArn, [...(assumed.get(role.roleArn) ?? [])]]).toEqual([role.roleArn, [role.githubEnvironment]]);
      expect(trustProblems(trustPolicy(role, "org/audio-pipeline"), role.githubEnvironment)).toEqual([]);
    }
    expect(new Set(ciRoles(environments).map((role) => role.roleArn)).size).toBe(environments.length * 3);
  });

  it("the check fails for a policy trusting every environment, or two", () => {
    const role = ciRoles(environments)[0];
    const policy = trustPolicy(role, "org/audio-pipeline") as Record<string, any>;
    const wildcard = structuredClone(policy);
    wildcard.Statement[0].Condition = { StringLike: { "token.actions.githubusercontent.com:sub": "repo:org/audio-pipeline:environment:*" } };
    expect(trustProblems(wildcard, role.githubEnvironment).length).toBeGreaterThan(0);
    const two = structuredClone(policy);
    two.Statement.push(structuredClone(policy.Statement[0]));
    two.Statement[1].Condition.StringEquals["token.actions.githubusercontent.com:sub"] = "repo:org/audio-pipeline:environment:prod-deploy";
    expect(trustProblems(two, role.githubEnvironment)).toContain("2 statements");
  });

  it("docs/ci-cd.md shows the trust policy of each environment it names, exactly as generated from config/", () => {
    // A config/ file added since `npm run workflows` ran is not in the doc yet (the workflows do
    // not depend on it, so nothing stops on it); what is documented must be right.
    const section = /<!-- trust-policies:begin -->\n([\s\S]*)<!-- trust-policies:end -->/.exec(doc)?.[1] ?? "";
    const documented = environments.filter((environment) => section.includes(`#### \`${environment.name}\` `));
    expect(documented.length).toBeGreaterThan(0);
    expect(section).toBe(trustPolicySection(documented));
    for (const role of ciRoles(environments)) expect(section).toContain(`MaxSessionDuration: at least ${role.maxSessionSeconds} s`);
  });
});

describe("the docs the workflows and scripts point at", () => {
  it("exist: docs/ci-cd.md from the workflow headers, the state-lock runbook from the errored-state script", () => {
    for (const { text } of loadWorkflows()) expect(text).toContain("docs/ci-cd.md");
    expect(fs.readFileSync(".github/scripts/push-errored-state.sh", "utf8")).toContain("docs/runbook-state-lock.md");
    expect(fs.existsSync("docs/runbook-state-lock.md")).toBe(true);
    expect(doc).toContain("(runbook-state-lock.md)");
  });
});

describe("what the apply job prints is what the state-lock runbook tells the operator to look for", () => {
  const runbook = fs.readFileSync("docs/runbook-state-lock.md", "utf8");
  /** Every `::error title=...::` a script or step of the apply path can print. */
  function titles(text: string): string[] {
    return [...new Set([...text.matchAll(/::error title=(.+?)::/g)].map((match) => match[1]).filter((title) => !title.includes("$")))];
  }

  it("the wrapper's and the push script's titles, and Terraform's own lines, are in the runbook", () => {
    const wrapper = fs.readFileSync(".github/scripts/terraform-interruptible.sh", "utf8");
    const push = fs.readFileSync(".github/scripts/push-errored-state.sh", "utf8");
    expect(titles(wrapper).sort()).toEqual(["Apply interrupted: cancelled", "Apply interrupted: time limit", "State not saved"]);
    for (const title of [...titles(wrapper), ...titles(push)]) expect(runbook).toContain(`::error title=${title}::`);
    // Terraform's words, as the rehearsal (interrupted-apply.test.ts) sees them.
    for (const words of ["Interrupt received.", "Gracefully shutting down...", "Error releasing the state lock", "Error acquiring the state lock"]) expect(runbook).toContain(words);
    expect(wrapper).toContain("docs/runbook-state-lock.md");
  });

  it("docs/ci-cd.md names every re-run option and the mechanism that keeps a waiting approval out of the queues", () => {
    for (const option of ["Re-run all jobs", "Re-run failed jobs", "Re-run this job", "Run workflow"]) expect(doc).toContain(`**${option}**`);
    expect(doc).toContain("## A waiting approval never holds a queue");
    expect(doc).toContain("refs/pull/<n>/merge");
    expect(doc).toContain("## What the linters check");
  });
});
