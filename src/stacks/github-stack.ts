import { ActionsRunnerGroup } from "@cdktf/provider-github/lib/actions-runner-group";
import { DataGithubRepository } from "@cdktf/provider-github/lib/data-github-repository";
import { GithubProvider } from "@cdktf/provider-github/lib/provider";
import { RepositoryEnvironment } from "@cdktf/provider-github/lib/repository-environment";
import { RepositoryEnvironmentDeploymentPolicy } from "@cdktf/provider-github/lib/repository-environment-deployment-policy";
import { RepositoryRuleset } from "@cdktf/provider-github/lib/repository-ruleset";
import { LocalBackend, S3Backend } from "cdktf";
import type { Construct } from "constructs";
import { GITHUB_STACK, type GithubEnvironmentSpec, type LoadedGithubSettings } from "../github/load-github-settings";
import { GITHUB_ACTIONS_APP_ID, MAIN_BRANCH, REQUIRED_CHECK, VPC_WORKFLOWS, selectedWorkflow } from "../github/repository-rules";
import { repositoryParts } from "../github/settings-schema";
import { StableAddressStack } from "./stable-addresses";

/*
 * The repository's GitHub settings as code (integrations/github 6.9.0 through
 * @cdktf/provider-github 15.3.1): per environment of config/ its GitHub environments, their
 * branch rules and reviewers; the ruleset of main; the VPC runner group when config/github.json
 * names one. Environment secrets are deliberately absent: github_actions_environment_secret
 * requires the value in Terraform and resets a value changed outside it. The doctor checks them
 * by name. Every attribute used here is checked against the provider's source at v6.9.0
 * (docs/day-0.md, "GitHub settings as code", lists the file and line of each).
 */
export class GithubStack extends StableAddressStack {
  constructor(scope: Construct, { settings, repository: fullName, environments }: LoadedGithubSettings) {
    super(scope, GITHUB_STACK);
    const { owner, name } = repositoryParts(fullName);

    if (settings.state) {
      const backend = new S3Backend(this, {
        bucket: settings.state.bucket,
        key: settings.state.key ?? `${GITHUB_STACK}/terraform.tfstate`,
        region: settings.state.region,
        encrypt: true,
      });
      backend.addOverride("use_lockfile", true);
    } else {
      new LocalBackend(this, { path: `../../../terraform.${GITHUB_STACK}.tfstate` });
    }

    // The token comes from GITHUB_TOKEN at plan and apply time (the provider reads it); never from config.
    new GithubProvider(this, "github", { owner });

    for (const spec of environments) this.environment(name, spec);

    new RepositoryRuleset(this, "main_ruleset", {
      name: MAIN_BRANCH,
      repository: name,
      target: "branch",
      enforcement: "active",
      // No bypass actors: admins go through the same pull request as everyone.
      conditions: { refName: { include: [`refs/heads/${MAIN_BRANCH}`], exclude: [] } },
      rules: {
        deletion: true,
        nonFastForward: true,
        pullRequest: {
          requiredApprovingReviewCount: settings.main.requiredApprovals,
          dismissStaleReviewsOnPush: true,
          requireLastPushApproval: settings.main.requiredApprovals > 0,
        },
        requiredStatusChecks: {
          requiredCheck: [{ context: REQUIRED_CHECK, integrationId: GITHUB_ACTIONS_APP_ID }],
          strictRequiredStatusChecksPolicy: true,
        },
      },
    });

    if (settings.runnerGroup) {
      // The repository's numeric id, which selected_repository_ids takes (read at plan time).
      const repository = new DataGithubRepository(this, "repository", { fullName });
      new ActionsRunnerGroup(this, "vpc_runner_group", {
        name: settings.runnerGroup.name,
        visibility: "selected",
        selectedRepositoryIds: [repository.repoId],
        allowsPublicRepositories: false,
        restrictedToWorkflows: true,
        selectedWorkflows: VPC_WORKFLOWS.map((file) => selectedWorkflow(fullName, file)),
      });
    }
  }

  private environment(repository: string, spec: GithubEnvironmentSpec): void {
    const id = spec.name.replace(/[^A-Za-z0-9_]/g, "_");
    const users = spec.reviewers.filter((reviewer) => reviewer.user !== undefined).map((reviewer) => reviewer.id);
    const teams = spec.reviewers.filter((reviewer) => reviewer.team !== undefined).map((reviewer) => reviewer.id);
    const environment = new RepositoryEnvironment(this, `environment_${id}`, {
      repository,
      environment: spec.name,
      canAdminsBypass: spec.canAdminsBypass,
      preventSelfReview: true,
      ...(spec.reviewers.length > 0 ? { reviewers: [{ users, teams }] } : {}),
      // No block: every branch may deploy. Custom policies: only the patterns below.
      ...(spec.branches === "main" ? { deploymentBranchPolicy: { protectedBranches: false, customBranchPolicies: true } } : {}),
    });
    if (spec.branches === "main") {
      new RepositoryEnvironmentDeploymentPolicy(this, `branch_policy_${id}`, {
        repository,
        environment: spec.name,
        branchPattern: MAIN_BRANCH,
        dependsOn: [environment],
      });
    }
  }
}
