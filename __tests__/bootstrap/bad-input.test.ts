/*
 * Bad day-0 input: each is a named error listing every problem at once, and nothing is synthesized.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { BootstrapError } from "../../src/bootstrap/bootstrap-error";
import { ConfigError } from "../../src/config/config-issue";
import { committedConfigJson, synthesizedFiles, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

let workspace: string;
beforeEach(() => {
  workspace = temporaryDirectory("bootstrap-bad-input");
});
afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

function problemsOf(dev: Record<string, any>, prod: Record<string, any>): string[] {
  const configDir = path.join(workspace, "config");
  writeConfigFile(configDir, "dev", dev);
  writeConfigFile(configDir, "prod", prod);
  const outdir = path.join(workspace, "out");
  let error: unknown;
  try {
    synthesizeApp({ configDir, outdir });
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect(synthesizedFiles(outdir)).toEqual([]);
  return (error as ConfigError).problems.map(({ file, issue }) => `${path.basename(file)} ${issue.path.join(".")}: ${issue.message}`);
}

describe("bad day-0 input", () => {
  it("lists every problem at once: a malformed owner/repo, a boundary of another account and of another partition, an OIDC provider ARN that is not one", () => {
    const dev = committedConfigJson("dev");
    const prod = committedConfigJson("prod");
    dev.github = { repository: "-acme/audio pipeline" };
    prod.github = { repository: "acme/audio-pipeline" };
    dev.aws = { permissionsBoundaryArn: "arn:aws:iam::111111111111:policy/audio-pipeline-dev-boundary" };
    prod.aws.permissionsBoundaryArn = "arn:aws-cn:iam::000000000000:policy/audio-pipeline-prod-boundary";
    prod.aws.githubOidcProviderArn = "arn:aws:iam::000000000000:role/github";
    const problems = problemsOf(dev, prod);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^dev\.json github\.repository: must be "owner\/repo"/),
        expect.stringMatching(/^dev\.json aws\.permissionsBoundaryArn: is in account 111111111111, but aws\.accountId is not set/),
        expect.stringMatching(/^prod\.json aws\.permissionsBoundaryArn: is in partition "aws-cn"/),
        expect.stringMatching(/^prod\.json aws\.githubOidcProviderArn: names "role\/github", not oidc-provider\/token\.actions\.githubusercontent\.com/),
      ]),
    );
    // The malformed repository is reported; the two files' disagreement is not reported on top of it.
    expect(problems.filter((problem) => problem.includes("github.repository"))).toHaveLength(1);
  });

  it("refuses files that disagree on what one account's bootstrap shares: the repository, the OIDC provider, a shared bucket's retention", () => {
    const dev = committedConfigJson("dev");
    const prod = committedConfigJson("prod");
    dev.github = { repository: "acme/audio-pipeline" };
    prod.github = { repository: "acme/other" };
    prod.aws.githubOidcProviderArn = "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com";
    dev.state = { ...dev.state, bucket: prod.state.bucket, noncurrentVersionRetentionDays: 30 };
    const problems = problemsOf(dev, prod);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^prod\.json github\.repository: differs from .*dev\.json/),
        expect.stringMatching(/^prod\.json aws\.githubOidcProviderArn: differs from .*dev\.json .*one GitHub OIDC provider/),
        expect.stringMatching(/^prod\.json state\.noncurrentVersionRetentionDays: differs from .*dev\.json/),
      ]),
    );
  });

  it("refuses a role name that collides across environments (same name, another path: one IAM role in the account)", () => {
    const dev = committedConfigJson("dev");
    const prod = committedConfigJson("prod");
    dev.ci.deployRoleArn = "arn:aws:iam::000000000000:role/ci/shared-deploy";
    prod.ci.deployRoleArn = "arn:aws:iam::000000000000:role/shared-deploy";
    expect(problemsOf(dev, prod)).toEqual([expect.stringMatching(/^prod\.json ci\.deployRoleArn: has the role name "shared-deploy" of ci\.deployRoleArn of .*dev\.json/)]);
  });

  it("refuses a seeder-trusted role that is another environment's role", () => {
    const dev = committedConfigJson("dev");
    const prod = committedConfigJson("prod");
    dev.database.seederTrustedRoleArns = [prod.ci.deployRoleArn];
    expect(problemsOf(dev, prod)).toEqual([expect.stringMatching(/^dev\.json database\.seederTrustedRoleArns\.0: is a role of .*prod\.json/)]);
  });
});

describe("a permission scope that would reach another environment", () => {
  it("stops the synth, naming both stacks: prod's log buckets (prefix audio-pipeline-prod-atlas-logs-) would cover those of an environment named prod-atlas-logs", () => {
    const configDir = path.join(workspace, "config");
    writeConfigFile(configDir, "prod", committedConfigJson("prod"));
    const other = committedConfigJson("dev");
    other.environment = "prod-atlas-logs";
    other.monitoring = { ...other.monitoring, logExport: true };
    other.state = { ...other.state, bucket: "audio-pipeline-prod-atlas-logs-state" };
    delete other.ci;
    writeConfigFile(configDir, "prod-atlas-logs", other);
    const outdir = path.join(workspace, "out");
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(BootstrapError);
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(
      /audio-pipeline-prod: the CI roles' scope arn:aws:s3:::audio-pipeline-prod-atlas-logs-\* also matches arn:aws:s3:::audio-pipeline-prod-atlas-logs-.*, a resource of audio-pipeline-prod-atlas-logs/,
    );
    expect(synthesizedFiles(outdir)).toEqual([]);
  });
});

describe("the bootstrap's own state", () => {
  it("refuses aws.bootstrapState \"s3\" in an account whose files name no state bucket", () => {
    const configDir = path.join(workspace, "config");
    const dev = committedConfigJson("dev");
    delete dev.state;
    dev.aws = { bootstrapState: "s3" };
    writeConfigFile(configDir, "dev", dev);
    const outdir = path.join(workspace, "out");
    expect(() => synthesizeApp({ configDir, outdir })).toThrow(/aws\.bootstrapState is "s3", but no environment of the account names a state\.bucket/);
    expect(synthesizedFiles(outdir)).toEqual([]);
  });
});
