import { GITHUB_ENVIRONMENT_SUFFIXES, githubEnvironmentName as environmentName, type GitHubEnvironmentPurpose } from "../environment/names";

/*
 * What the github stack sets on each GitHub environment of one config/ environment, and what the
 * doctor expects there. The names come from src/environment/names.ts (GITHUB_ENVIRONMENT_SUFFIXES),
 * which the workflows and the trust policies read too. A new purpose there (the day-2 drill) is a
 * compile error here until it gets its one line of settings below.
 */

/** Which branches may run a job in the environment. */
export type BranchRule =
  /** Every branch (and pull request merge ref): the plan of an environment pull requests plan. */
  | "all"
  /** `main` only. */
  | "main";

export interface PurposeSettings {
  /** The key of this purpose's reviewers in config/github.json (`reviewers.<env>.<key>`), when it takes any. */
  readonly reviewersKey?: "deploy" | "seedApproval";
  /** Open to every branch when pull requests plan the environment (ci.pullRequestPlan); otherwise main only. */
  readonly openToPullRequests: boolean;
  /** What the environment is for (docs, doctor). */
  readonly purpose: string;
  /** Environment secrets the workflows read there (names only; values stay out of Terraform). */
  readonly secrets: readonly string[];
}

export interface EnvironmentPurpose extends PurposeSettings {
  readonly key: GitHubEnvironmentPurpose;
  /** The GitHub environment is `<environment>-<suffix>`. */
  readonly suffix: string;
}

const ATLAS_SECRETS = ["ATLAS_PUBLIC_API_KEY", "ATLAS_PRIVATE_API_KEY", "ATLAS_ORG_ID"] as const;

const SETTINGS: { readonly [P in GitHubEnvironmentPurpose]: PurposeSettings } = {
  // Pull requests plan non-production environments (ci.pullRequestPlan), so their plan environment is open to every branch.
  plan: { openToPullRequests: true, purpose: "plan with the read-only role and the plan key", secrets: ATLAS_SECRETS },
  deploy: { reviewersKey: "deploy", openToPullRequests: false, purpose: "apply with the deploy role and key (production: the approval)", secrets: ATLAS_SECRETS },
  seed: { openToPullRequests: false, purpose: "seed with the seeder role, on the VPC runner", secrets: [] },
  seedApproval: { reviewersKey: "seedApproval", openToPullRequests: false, purpose: "approve a production seed plan (no secrets, no role)", secrets: [] },
  drill: { openToPullRequests: false, purpose: "the restore drill (drill.yml): the drill's Atlas key only, no AWS role", secrets: ["ATLAS_DRILL_PUBLIC_API_KEY", "ATLAS_DRILL_PRIVATE_API_KEY"] },
};

export const ENVIRONMENT_PURPOSES: readonly EnvironmentPurpose[] = (Object.keys(GITHUB_ENVIRONMENT_SUFFIXES) as GitHubEnvironmentPurpose[]).map((key) => ({
  key,
  suffix: GITHUB_ENVIRONMENT_SUFFIXES[key],
  ...SETTINGS[key],
}));

/** `<environment>-<suffix>`. */
export const githubEnvironmentName = (environment: string, purpose: EnvironmentPurpose) => environmentName(environment, purpose.key);

/** Which purposes need reviewers in a production environment (all of them that take reviewers). */
export const requiresReviewers = (purpose: EnvironmentPurpose, production: boolean) => production && purpose.reviewersKey !== undefined;

/*
 * What GitHub accepts as an environment name (REST "Create or update an environment": the name is
 * a path parameter; the docs: "An environment name may not exceed 255 characters and must be
 * unique within the repository", and names are not case sensitive). Control characters and a
 * leading or trailing space do not survive the UI or the URL; refuse them too.
 */
export const GITHUB_ENVIRONMENT_NAME_MAX = 255;

/** Why GitHub would refuse `name`, or undefined. */
export function githubEnvironmentNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > GITHUB_ENVIRONMENT_NAME_MAX) return `is ${name.length} characters long; GitHub allows at most ${GITHUB_ENVIRONMENT_NAME_MAX}`;
  if (/[\u0000-\u001f\u007f]/.test(name)) return "contains a control character, which GitHub refuses";
  if (name.trim() !== name) return "starts or ends with a space, which GitHub trims away";
  return undefined;
}
