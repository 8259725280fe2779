/*
 * The bootstrap stacks through the real Terraform CLI, offline: they are AWS-only, so the shared
 * workspace (aws-part-workspace.ts) plans each one whole, as a JSON module beside the environment
 * stacks' AWS parts: one init, one plan (which validates first) and one show serve every stack, so
 * this file adds no Terraform run of its own. Skipped, with the reason, without terraform or the mirror.
 */
import { resolveEnvironments } from "../../src/environment/resolve";
import { maxSessionSeconds } from "../../src/bootstrap/ci-policies";
import { roleNameOf } from "../../src/config/fields";
import { bootstrapStackName } from "../../src/environment/names";
import type { JsonObject } from "../support/aws-part";
import { offlineTerraformAvailability, type ResourceChange } from "../support/terraform-runner";
import { moduleName, planOfStack, sharedRunOrThrow } from "./aws-part-workspace";
import { CONFIG_DIR, synthesizeBootstrapStacks } from "./synthesized-stacks";

const offline = offlineTerraformAvailability();
if (!offline.available) console.warn(`[terraform] skipping the bootstrap plan tests: ${offline.reason}`);

const environments = resolveEnvironments(CONFIG_DIR).map(({ config }) => config);
const ACCOUNTS = [...new Set(environments.map((config) => config.aws.accountId))].sort();

const created = (changes: readonly ResourceChange[], type: string) => changes.filter((change) => change.type === type && change.change.actions.join() === "create");
const after = (change: ResourceChange) => change.change.after as JsonObject;

describe.skipIf(!offline.available)("real Terraform, offline: the bootstrap stack of each AWS account", () => {
  const available = offline as { terraform: string; mirror: string };

  it("Terraform validates and plans every bootstrap stack, with no diagnostic about it", async () => {
    const run = await sharedRunOrThrow(available);
    expect(run.preparationErrors).toEqual({});
    expect(run.bootstraps.map(({ name }) => name).sort()).toEqual(ACCOUNTS.map(bootstrapStackName));
    const modules = run.bootstraps.map(({ name }) => `module.${moduleName(name, "json")}`);
    expect(run.diagnostics.filter((diagnostic) => modules.some((module) => JSON.stringify(diagnostic).includes(module)))).toEqual([]);
  }, 600_000);

  for (const account of ACCOUNTS) {
    const stack = bootstrapStackName(account);
    const mine = environments.filter((config) => config.aws.accountId === account);

    it(`${stack}: one state bucket per distinct state.bucket: versioned, encrypted, private, owner-enforced, TLS only, old versions expiring as configured, prevent_destroy`, async () => {
      const run = await sharedRunOrThrow(available);
      const changes = planOfStack(run.plan, stack).resource_changes ?? [];
      const buckets = [...new Set(mine.flatMap((config) => (config.state ? [config.state.bucket] : [])))].sort();
      expect(created(changes, "aws_s3_bucket").map((change) => after(change).bucket).sort()).toEqual(buckets);
      const json = run.bootstraps.find(({ name }) => name === stack)!.json as unknown as { resource: Record<string, Record<string, JsonObject>> };
      for (const body of Object.values(json.resource.aws_s3_bucket)) expect(body.lifecycle).toEqual({ prevent_destroy: true });
      expect(created(changes, "aws_s3_bucket_versioning").map((change) => (after(change).versioning_configuration as JsonObject[])[0].status)).toEqual(buckets.map(() => "Enabled"));
      for (const change of created(changes, "aws_s3_bucket_server_side_encryption_configuration")) {
        expect(JSON.stringify(after(change).rule)).toContain('"sse_algorithm":"AES256"');
      }
      for (const change of created(changes, "aws_s3_bucket_public_access_block")) {
        const block = after(change);
        expect([block.block_public_acls, block.block_public_policy, block.ignore_public_acls, block.restrict_public_buckets]).toEqual([true, true, true, true]);
      }
      for (const change of created(changes, "aws_s3_bucket_ownership_controls")) expect((after(change).rule as JsonObject[])[0].object_ownership).toBe("BucketOwnerEnforced");
      for (const change of created(changes, "aws_s3_bucket_policy")) {
        const policy = JSON.parse(String(after(change).policy));
        expect(policy.Statement).toEqual([expect.objectContaining({ Effect: "Deny", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } })]);
      }
      const days = created(changes, "aws_s3_bucket_lifecycle_configuration").map((change) => (((after(change).rule as JsonObject[])[0].noncurrent_version_expiration as JsonObject[])[0].noncurrent_days));
      expect(days).toEqual(buckets.map((bucket) => mine.find((config) => config.state?.bucket === bucket)!.state!.noncurrentVersionRetentionDays));
    }, 600_000);

    it(`${stack}: the GitHub OIDC provider (created unless adopted) and, per environment, plan, deploy and seed roles with the workflows' session limits and the generated policies attached`, async () => {
      const run = await sharedRunOrThrow(available);
      const changes = planOfStack(run.plan, stack).resource_changes ?? [];
      const adopted = mine.some((config) => config.aws.githubOidcProviderArn);
      const providers = created(changes, "aws_iam_openid_connect_provider");
      expect(providers.map((change) => [after(change).url, after(change).client_id_list])).toEqual(adopted ? [] : [["https://token.actions.githubusercontent.com", ["sts.amazonaws.com"]]]);
      const roles = created(changes, "aws_iam_role");
      const expected = mine.flatMap((config) =>
        (
          [
            ["plan", config.ci.planRoleArn],
            ["deploy", config.ci.deployRoleArn],
            ["seed", config.database.seederRoleArn],
          ] as const
        ).map(([purpose, arn]) => [roleNameOf(arn), maxSessionSeconds(purpose)]),
      );
      expect(roles.map((change) => [after(change).name, after(change).max_session_duration]).sort()).toEqual([...expected].sort());
      // Every generated policy is planned with its document, and attached.
      const generated = synthesizeBootstrapStacks().find(({ name }) => name === stack)!.json as unknown as { resource: Record<string, Record<string, JsonObject>> };
      const documents = Object.values(generated.resource.aws_iam_policy).map((body) => JSON.parse(String(body.policy)));
      expect(created(changes, "aws_iam_policy").map((change) => JSON.parse(String(after(change).policy)))).toEqual(expect.arrayContaining(documents));
      expect(created(changes, "aws_iam_role_policy_attachment")).toHaveLength(Object.keys(generated.resource.aws_iam_role_policy_attachment).length);
    }, 600_000);
  }
});
