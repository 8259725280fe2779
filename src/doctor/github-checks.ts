import type { GithubEnvironmentSpec } from "../github/load-github-settings";
import { MAIN_BRANCH, REQUIRED_CHECK, VPC_WORKFLOWS, selectedWorkflow } from "../github/repository-rules";
import type { GithubSettings } from "../github/settings-schema";
import { fail, ok, ServiceStop, warn, type Check } from "./check";
import { getWithToken, Unreachable, type HttpAnswer } from "./http";

/*
 * GitHub, read with the caller's token (GITHUB_TOKEN or GH_TOKEN): the environment's GitHub
 * environments (branch rule, reviewers, prevent_self_review, admin bypass, secret names), the
 * rules in force on main, and the VPC runner group with an online runner of the environment's
 * label. Response shapes: GitHub's REST description (api.github.com.json) — schemas
 * `environment`, `deployment-branch-policy`, `actions-secret`, `repository-rule-detailed`,
 * `runner-groups-org`, `runner`.
 */

export interface GithubCheckInput {
  readonly apiUrl: string;
  readonly token: string | undefined;
  readonly settings: GithubSettings;
  /** The repository (the environment files' github.repository). */
  readonly repository: string;
  /** The GitHub environments of the one environment checked. */
  readonly specs: readonly GithubEnvironmentSpec[];
  /** ci.runnerLabel of the environment, when set. */
  readonly runnerLabel?: string;
  /** Receives the names of the online runners with the environment's label (for the placement check). */
  readonly onRunners?: (names: readonly string[]) => void;
  /** Secrets the environment's Atlas-key environments need beyond the three keys (ATLAS_ALERT_WEBHOOK_SECRET with monitoring.atlasWebhookUrl). */
  readonly extraAtlasSecrets?: readonly string[];
}

const FIX_STACK = "npm run deploy -- audio-pipeline-github (config/github.json), then npm run doctor again";

type Json = Record<string, any>;

export async function githubChecks(input: GithubCheckInput): Promise<Check[]> {
  if (!input.token) {
    throw new ServiceStop(fail("github", "token", "GITHUB_TOKEN (or GH_TOKEN) is not set, so nothing on GitHub was checked", "export GITHUB_TOKEN=$(gh auth token) (read access to the repository; org runner groups need organization read)"));
  }
  const token = input.token;
  const api = input.apiUrl.replace(/\/+$/, "");
  const get = async (path: string): Promise<HttpAnswer> => {
    try {
      return await getWithToken(`${api}${path}`, token, { Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28" });
    } catch (error) {
      if (error instanceof Unreachable) throw new ServiceStop(fail("github", "API", `${error.message}, so nothing on GitHub was checked`, "check the network, or GITHUB_API_URL"));
      throw error;
    }
  };
  const repo = input.repository;
  const checks: Check[] = [];

  const repository = await get(`/repos/${repo}`);
  if (repository.status !== 200) {
    throw new ServiceStop(fail("github", `repository ${repo}`, `answered ${repository.status}: not found, or the token cannot read it`, "check config/github.json's repository and the token's access"));
  }
  checks.push(ok("github", `repository ${repo}`, "readable with this token"));

  for (const spec of input.specs) checks.push(...(await environmentChecks(get, repo, spec, input.extraAtlasSecrets ?? [])));
  checks.push(...(await mainRules(get, repo, input.settings)));
  checks.push(...(await runnerGroup(get, input.settings, repo, input.runnerLabel, input.onRunners)));
  return checks;
}

type Get = (path: string) => Promise<HttpAnswer>;

async function environmentChecks(get: Get, repo: string, spec: GithubEnvironmentSpec, extraAtlasSecrets: readonly string[]): Promise<Check[]> {
  const name = spec.name;
  const path = `/repos/${repo}/environments/${encodeURIComponent(name)}`;
  const found = await get(path);
  if (found.status === 404) {
    return [fail("github", `${name}`, "missing: GitHub creates it on a job's first use with no reviewers and no rules", FIX_STACK)];
  }
  if (found.status !== 200) return [fail("github", `${name}`, `answered ${found.status}`, "check the token's access to environments")];
  const environment = found.body as Json;
  const checks: Check[] = [];

  // Branch rule.
  const policy = environment.deployment_branch_policy as Json | null | undefined;
  if (spec.branches === "all") {
    checks.push(
      policy
        ? fail("github", `${name}: branches`, "restricted, but pull requests plan this environment from their own branches", FIX_STACK)
        : ok("github", `${name}: branches`, "all branches (pull requests plan this environment)"),
    );
  } else {
    const policies = policy?.custom_branch_policies ? await get(`${path}/deployment-branch-policies`) : undefined;
    const names = ((policies?.body as Json | undefined)?.branch_policies as Json[] | undefined)?.map((entry) => `${entry.type ?? "branch"}:${entry.name}`) ?? [];
    checks.push(
      policy?.custom_branch_policies && policy.protected_branches === false && names.length === 1 && names[0] === `branch:${MAIN_BRANCH}`
        ? ok("github", `${name}: branches`, `${MAIN_BRANCH} only`)
        : fail("github", `${name}: branches`, `${policy ? `custom policies ${JSON.stringify(names)}` : "every branch may run it"}; only ${MAIN_BRANCH} may`, FIX_STACK),
    );
  }

  // Reviewers, self-review and admin bypass.
  const rules = (environment.protection_rules as Json[] | undefined) ?? [];
  const reviewerRule = rules.find((rule) => rule.type === "required_reviewers");
  const actual = ((reviewerRule?.reviewers as Json[] | undefined) ?? []).map((entry) => `${String(entry.type).toLowerCase()}:${entry.reviewer?.id}`).sort();
  const expected = spec.reviewers.map((reviewer) => `${reviewer.user ? "user" : "team"}:${reviewer.id}`).sort();
  const names = spec.reviewers.map((reviewer) => reviewer.user ?? reviewer.team).join(", ");
  if (expected.length > 0 || actual.length > 0) {
    checks.push(
      JSON.stringify(actual) === JSON.stringify(expected)
        ? ok("github", `${name}: required reviewers`, `${names} (ids as in config/github.json)`)
        : fail("github", `${name}: required reviewers`, `found ${actual.length === 0 ? "none" : actual.join(", ")}, config/github.json has ${expected.join(", ") || "none"}${spec.production && expected.length > 0 ? "; without them production applies unapproved" : ""}`, FIX_STACK),
    );
    // Without a reviewer rule there is no review to prevent; the line above already fails.
    if (reviewerRule) checks.push(
      reviewerRule.prevent_self_review === true
        ? ok("github", `${name}: prevent self-review`, "on: whoever triggered a run cannot approve it")
        : fail("github", `${name}: prevent self-review`, "off: the author of a change can approve its own deploy", FIX_STACK),
    );
  }
  if (spec.production) {
    checks.push(
      environment.can_admins_bypass === false
        ? ok("github", `${name}: admin bypass`, "off: admins go through the same rules")
        : fail("github", `${name}: admin bypass`, "on (GitHub's default): an admin can skip the production approval", FIX_STACK),
    );
  }

  // Secret names (values stay out of Terraform and out of this check).
  // The webhook secret goes where Terraform runs with the Atlas keys (plan and deploy), not to the drill.
  const wanted = spec.purpose.secrets.includes("ATLAS_PUBLIC_API_KEY") ? [...spec.purpose.secrets, ...extraAtlasSecrets] : [...spec.purpose.secrets];
  if (wanted.length > 0) {
    const secrets = await get(`${path}/secrets`);
    const present = new Set(((secrets.body as Json | undefined)?.secrets as Json[] | undefined)?.map((secret) => secret.name) ?? []);
    const missing = wanted.filter((secret) => !present.has(secret));
    checks.push(
      secrets.status === 200 && missing.length === 0
        ? ok("github", `${name}: secrets`, `${wanted.join(", ")} exist (names only)`)
        : fail(
            "github",
            `${name}: secrets`,
            secrets.status === 200 ? `missing ${missing.join(", ")}` : `could not list them (${secrets.status})`,
            `gh secret set <NAME> --env ${name} (values from the Atlas key of this environment; docs/day-0.md)`,
          ),
    );
  }
  return checks;
}

async function mainRules(get: Get, repo: string, settings: GithubSettings): Promise<Check[]> {
  const found = await get(`/repos/${repo}/rules/branches/${MAIN_BRANCH}`);
  if (found.status !== 200 || !Array.isArray(found.body)) return [fail("github", `rules of ${MAIN_BRANCH}`, `answered ${found.status}`, FIX_STACK)];
  const rules = found.body as Json[];
  const has = (type: string) => rules.filter((rule) => rule.type === type);
  const pullRequest = has("pull_request");
  const approvals = Math.max(-1, ...pullRequest.map((rule) => Number(rule.parameters?.required_approving_review_count ?? 0)));
  const contexts = has("required_status_checks").flatMap((rule) => ((rule.parameters?.required_status_checks as Json[] | undefined) ?? []).map((check) => check.context));
  const what = (rule: string) => `${MAIN_BRANCH}: ${rule}`;
  return [
    pullRequest.length > 0 && approvals >= settings.main.requiredApprovals
      ? ok("github", what("pull request required"), `${approvals} approving review(s)`)
      : fail("github", what("pull request required"), pullRequest.length === 0 ? "no rule: anyone with write access can push to main, which deploys" : `${approvals} approving review(s), config/github.json asks ${settings.main.requiredApprovals}`, FIX_STACK),
    contexts.includes(REQUIRED_CHECK)
      ? ok("github", what(`check "${REQUIRED_CHECK}" required`), "a change reaches main only after the tests and synth passed")
      : fail("github", what(`check "${REQUIRED_CHECK}" required`), `required checks: ${contexts.join(", ") || "none"}`, FIX_STACK),
    has("non_fast_forward").length > 0 ? ok("github", what("no force push"), "history of main cannot be rewritten") : fail("github", what("no force push"), "force pushes are allowed", FIX_STACK),
    has("deletion").length > 0 ? ok("github", what("no deletion"), "main cannot be deleted") : fail("github", what("no deletion"), "main can be deleted", FIX_STACK),
  ];
}

async function runnerGroup(get: Get, settings: GithubSettings, repository: string, runnerLabel: string | undefined, onRunners?: (names: readonly string[]) => void): Promise<Check[]> {
  const owner = repository.split("/")[0];
  if (!settings.runnerGroup) {
    return [
      warn(
        "github",
        "VPC runner group",
        "none in config/github.json: any workflow of any branch, a pull request's included, can ask for runs-on: [self-hosted, <label>] and run on the VPC runners",
        "in an organization you administer, add runnerGroup to config/github.json and deploy the github stack",
      ),
    ];
  }
  const name = settings.runnerGroup.name;
  const groups = await get(`/orgs/${owner}/actions/runner-groups?per_page=100`);
  if (groups.status !== 200) {
    return [fail("github", `runner group ${name}`, `could not read the organization's runner groups (${groups.status}); the token needs organization read access to self-hosted runners`, "use a token of an organization admin")];
  }
  const group = ((groups.body as Json).runner_groups as Json[] | undefined)?.find((candidate) => candidate.name === name);
  if (!group) return [fail("github", `runner group ${name}`, `not found in ${owner}`, FIX_STACK)];
  const checks: Check[] = [];
  const expected = VPC_WORKFLOWS.map((file) => selectedWorkflow(repository, file)).sort();
  const selected = [...((group.selected_workflows as string[] | undefined) ?? [])].sort();
  checks.push(
    group.restricted_to_workflows === true && JSON.stringify(selected) === JSON.stringify(expected)
      ? ok("github", `runner group ${name}: workflows`, `only ${expected.join(", ")}`)
      : fail("github", `runner group ${name}: workflows`, group.restricted_to_workflows ? `selected ${selected.join(", ") || "none"}` : "not restricted: any workflow, a pull request's included, can run on the VPC runners", FIX_STACK),
  );
  const repositories = group.visibility === "selected" ? await get(`/orgs/${owner}/actions/runner-groups/${group.id}/repositories?per_page=100`) : undefined;
  const names = ((repositories?.body as Json | undefined)?.repositories as Json[] | undefined)?.map((repository) => repository.full_name) ?? [];
  checks.push(
    group.visibility === "selected" && group.allows_public_repositories !== true && names.length === 1 && names[0] === repository
      ? ok("github", `runner group ${name}: repositories`, `only ${repository}`)
      : fail("github", `runner group ${name}: repositories`, `visibility ${group.visibility}, repositories ${names.join(", ") || "all"}`, FIX_STACK),
  );
  if (runnerLabel) {
    const runners = await get(`/orgs/${owner}/actions/runner-groups/${group.id}/runners?per_page=100`);
    const labelled = (((runners.body as Json | undefined)?.runners as Json[] | undefined) ?? []).filter((runner) => ((runner.labels as Json[] | undefined) ?? []).some((label) => label.name === runnerLabel));
    const online = labelled.filter((runner) => runner.status === "online");
    onRunners?.(online.map((runner) => String(runner.name)));
    checks.push(
      online.length > 0
        ? ok("github", `runner ${runnerLabel}`, `${online.length} online in ${name}; its security group must be one of network.clientSecurityGroups (docs/day-0.md)`)
        : fail("github", `runner ${runnerLabel}`, labelled.length > 0 ? `in ${name} but offline` : `no runner labelled ${runnerLabel} in ${name}: the seed jobs would wait for one`, "register the VPC runner in this group with that label (docs/day-0.md, runner placement)"),
    );
  }
  return checks;
}
