/*
 * The GitHub environments of one config/ environment, one per purpose: the table the github stack
 * creates them from and the doctor checks them against. Each CI role trusts exactly one of them
 * (.github/scripts/trust-policies.ts); __tests__/github checks that the names here are the ones
 * the workflows use. The day-2 drill adds one line here: { suffix: "drill", openToPullRequests: false, ... }.
 */

/** Which branches may run a job in the environment. */
export type BranchRule =
  /** Every branch (and pull request merge ref): the plan of an environment pull requests plan. */
  | "all"
  /** `main` only. */
  | "main";

export interface EnvironmentPurpose {
  /** The GitHub environment is `<environment>-<suffix>`. */
  readonly suffix: string;
  /** The key of this purpose's reviewers in config/github.json (`reviewers.<env>.<key>`), when it has any. */
  readonly reviewersKey?: "deploy" | "seedApproval";
  /** Open to every branch when pull requests plan the environment (ci.pullRequestPlan); otherwise main only. */
  readonly openToPullRequests: boolean;
  /** What the doctor and docs say the environment is for. */
  readonly purpose: string;
  /** Environment secrets the workflows read there (names only; values stay out of Terraform). */
  readonly secrets: readonly string[];
}

const ATLAS_SECRETS = ["ATLAS_PUBLIC_API_KEY", "ATLAS_PRIVATE_API_KEY", "ATLAS_ORG_ID"] as const;

export const ENVIRONMENT_PURPOSES: readonly EnvironmentPurpose[] = [
  // Pull requests plan non-production environments (ci.pullRequestPlan), so their plan environment is open to every branch.
  { suffix: "plan", openToPullRequests: true, purpose: "plan with the read-only role and the plan key", secrets: ATLAS_SECRETS },
  { suffix: "deploy", reviewersKey: "deploy", openToPullRequests: false, purpose: "apply with the deploy role and key (production: the approval)", secrets: ATLAS_SECRETS },
  { suffix: "seed", openToPullRequests: false, purpose: "seed with the seeder role, on the VPC runner", secrets: [] },
  { suffix: "seed-approval", reviewersKey: "seedApproval", openToPullRequests: false, purpose: "approve a production seed plan (no secrets, no role)", secrets: [] },
];

/** `<environment>-<suffix>`. */
export const githubEnvironmentName = (environment: string, purpose: EnvironmentPurpose) => `${environment}-${purpose.suffix}`;

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
