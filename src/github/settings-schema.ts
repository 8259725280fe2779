import { z } from "zod";
import * as field from "../config/fields";

/*
 * config/github.json: the repository-wide GitHub settings (the ruleset of main,
 * the VPC runner group) and each environment's required reviewers. The github stack is built from
 * it and from the environment files; unknown fields are refused so that a typo cannot pass.
 *
 * integrations/github 6.9.0 takes reviewers as numeric ids (github_repository_environment
 * reviewers.users / reviewers.teams: TypeSet of TypeInt), so the file holds the ids, with the
 * login or team slug alongside for readers and for the doctor's messages.
 */

// GitHub logins: letters, digits and single hyphens, not at either end, at most 39 characters.
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
// Team slugs: GitHub derives them from the team name: lower-case letters, digits, hyphens, underscores.
const TEAM_SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;

const githubId = z
  .number({ error: "must be a number: the numeric id GitHub gives the user or team (GET /users/<login> or /orgs/<org>/teams/<slug>, field id)" })
  .int({ error: "must be a whole number (GitHub's numeric id)" })
  .positive({ error: "must be a positive whole number (GitHub's numeric id)" });

export const reviewerSchema = z
  .strictObject({
    user: z.string().regex(GITHUB_LOGIN, { error: "must be a GitHub login: letters, digits and single hyphens, at most 39 characters, no hyphen at either end" }).optional(),
    team: z.string().regex(TEAM_SLUG, { error: "must be a team slug: lower-case letters, digits, hyphens or underscores, as in github.com/orgs/<org>/teams/<slug>" }).optional(),
    id: githubId,
  })
  .superRefine((reviewer, context) => {
    if ((reviewer.user === undefined) === (reviewer.team === undefined)) {
      context.addIssue({ code: "custom", input: reviewer, message: 'must name exactly one of "user" (a login) or "team" (a slug), beside its numeric "id"' });
    }
  })
  .describe('a reviewer: {"user": "<login>", "id": <user id>} or {"team": "<slug>", "id": <team id>}');

export type Reviewer = z.output<typeof reviewerSchema>;

/** GitHub allows at most six required reviewers (users and teams together) per environment. */
export const MAX_REVIEWERS = 6;

const reviewerList = z
  .array(reviewerSchema)
  .max(MAX_REVIEWERS, { error: `lists more than ${MAX_REVIEWERS} reviewers; GitHub allows at most ${MAX_REVIEWERS} users and teams per environment` })
  .refine((list) => new Set(list.map((reviewer) => `${reviewer.user ? "user" : "team"}:${reviewer.id}`)).size === list.length, {
    error: "must not list the same user or team id twice",
  })
  .describe(`a list of at most ${MAX_REVIEWERS} reviewers; any one of them approves`);

const environmentReviewers = z
  .strictObject({
    deploy: reviewerList.optional().describe("who approves a production apply (<env>-deploy); required for a production environment"),
    seedApproval: reviewerList.optional().describe("who approves a production seed plan (<env>-seed-approval); required for a production environment"),
  })
  .describe("an object {deploy, seedApproval}");

export const RUNNER_GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export const githubSettingsSchema = z
  .strictObject({
    $schema: z.string().optional().describe("a path to the JSON schema, for editors"),
    $comment: z.string().optional().describe("free text for readers"),
    main: z
      .strictObject({
        requiredApprovals: field
          .wholeNumber(0, 10, "approving reviews")
          .default(1)
          .describe("approving reviews a pull request into main needs (0-10); default 1"),
      })
      .prefault({})
      .describe("an object {requiredApprovals}: the ruleset of main"),
    runnerGroup: z
      .strictObject({
        name: z.string().regex(RUNNER_GROUP_NAME, { error: "must be 1-64 letters, digits, spaces, dots, underscores or hyphens" }),
      })
      .optional()
      .describe(
        "an object {name}: the organization's self-hosted runner group of the VPC runners, restricted to this repository and to the workflows on main that need the VPC; omit it when you do not administer the organization (the doctor then warns)",
      ),
    reviewers: z.record(field.environmentName, environmentReviewers).default({}).describe("an object mapping an environment name to its reviewers"),
    state: z
      .strictObject({
        bucket: field.s3BucketName,
        key: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{1,1024}$/, { error: "must be an S3 object key" }).optional(),
        region: field.awsRegion,
      })
      .optional()
      .describe('an object {bucket, key, region}: S3 remote state of the github stack (key default "audio-pipeline-github/terraform.tfstate"); omit for a local state file'),
  })
  .describe("config/github.json: the repository's GitHub settings");

export type GithubSettings = z.output<typeof githubSettingsSchema>;

/** The owner and name of `settings.repository`. */
export function repositoryParts(repository: string): { readonly owner: string; readonly name: string } {
  const [owner, name] = repository.split("/");
  return { owner, name };
}
