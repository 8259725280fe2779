/*
 * The bootstrap stack as `npm run synth` writes it: per account, its roles' trust, session limits,
 * the OIDC provider (created or adopted), and where its own state lives.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { CI_ROLE_SESSION_SECONDS } from "../../src/environment/ci-roles";
import { bootstrapStackName } from "../../src/environment/names";
import { resolveEnvironments } from "../../src/environment/resolve";
import { roleNameOf } from "../../src/config/fields";
import { committedConfigJson, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("bootstrap-stack");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

type Json = Record<string, any>;
function synthesized(configDir: string): Record<string, Json> {
  const outdir = path.join(workspace, "out");
  const { stacks } = synthesizeApp({ configDir, outdir });
  return Object.fromEntries(stacks.map((name) => [name, JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"))]));
}

describe("the bootstrap stack", () => {
  it("gives each CI role of each environment exactly one trusted GitHub environment of the configured repository, audience sts.amazonaws.com, and the workflows' session limit", () => {
    const stacks = synthesized("config");
    for (const { config } of resolveEnvironments("config")) {
      const stack = stacks[bootstrapStackName(config.aws.accountId)];
      const roles = Object.values(stack.resource.aws_iam_role) as Json[];
      for (const [purpose, arn] of [
        ["plan", config.ci.planRoleArn],
        ["deploy", config.ci.deployRoleArn],
        ["seed", config.database.seederRoleArn],
      ] as const) {
        const role = roles.find((candidate) => candidate.name === roleNameOf(arn))!;
        expect(role.max_session_duration).toBe(CI_ROLE_SESSION_SECONDS[purpose]);
        const trust = JSON.parse(role.assume_role_policy);
        const federated = trust.Statement.filter((statement: Json) => statement.Action === "sts:AssumeRoleWithWebIdentity");
        expect(federated).toHaveLength(1);
        expect(federated[0].Condition).toEqual({
          StringEquals: {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": `repo:${config.github.repository}:environment:${config.environment}-${purpose}`,
          },
        });
      }
    }
  });

  it("adopts a configured OIDC provider by ARN (no data source, nothing created), trusts the seeder's bastion, and keeps its own state in the first state bucket with use_lockfile once migrated", () => {
    const configDir = path.join(workspace, "config");
    const provider = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com";
    const bastion = "arn:aws:iam::000000000000:role/bastion";
    for (const name of ["dev", "prod"]) {
      const config = committedConfigJson(name);
      config.github = { repository: "acme/audio-pipeline" };
      config.aws = { ...config.aws, githubOidcProviderArn: provider, bootstrapState: "s3" };
      if (name === "prod") config.database.seederTrustedRoleArns = [bastion];
      writeConfigFile(configDir, name, config);
    }
    const stack = synthesized(configDir)[bootstrapStackName("000000000000")];
    expect(stack.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(stack.data).toBeUndefined();
    const seed = JSON.parse(stack.resource.aws_iam_role.prod_seed_role.assume_role_policy);
    expect(seed.Statement[0].Principal).toEqual({ Federated: provider });
    expect(seed.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"]).toBe("repo:acme/audio-pipeline:environment:prod-seed");
    expect(seed.Statement[1]).toEqual({ Effect: "Allow", Principal: { AWS: bastion }, Action: "sts:AssumeRole" });
    expect(JSON.parse(stack.resource.aws_iam_role.dev_seed_role.assume_role_policy).Statement).toHaveLength(1);
    const buckets = [committedConfigJson("dev").state.bucket, committedConfigJson("prod").state.bucket].sort();
    expect(stack.terraform.backend.s3).toMatchObject({ bucket: buckets[0], key: `${bootstrapStackName("000000000000")}/terraform.tfstate`, encrypt: true, use_lockfile: true });
  });

  it("starts with a local state file, relative to the stack directory", () => {
    const stack = synthesized("config")[bootstrapStackName("000000000000")];
    expect(stack.terraform.backend).toEqual({ local: { path: `../../../terraform.${bootstrapStackName("000000000000")}.tfstate` } });
  });
});
