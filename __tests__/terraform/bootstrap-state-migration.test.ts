/*
 * Rehearsal, with the real Terraform CLI, of moving a bootstrap stack's own state from its local
 * file into the bucket it created (docs/day-0.md, "Moving the bootstrap state into its bucket").
 *
 * What is real: the two backend blocks are those `npm run synth` writes for the account's
 * bootstrap stack with `aws.bootstrapState` "local" and then "s3"; the working directory has the
 * layout of cdktf.out/stacks/<stack>, so the relative local path resolves as it does on a laptop;
 * the commands are the documented ones (`terraform init -migrate-state`, answered "yes").
 * What stands in, and why:
 * - the S3 backend cannot be reached offline, so a second local backend, at
 *   <bucket>/<key> under a directory standing for S3, takes its place (same bucket and key);
 * - AWS resources cannot be created offline, so the state holds one terraform_data object per
 *   resource address of the real bootstrap stack (built in, no provider): what is migrated is a
 *   state with the stack's addresses, its lineage and serial.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { terraformBinary } from "../../src/hcl/terraform-fmt";
import { committedConfigJson, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";
import { terraformAvailability } from "../support/terraform-runner";

const availability = terraformAvailability();
if (!availability.available) console.log(`[terraform] bootstrap state migration rehearsal skipped: ${availability.reason}`);

type Json = Record<string, any>;

/** The committed files with `aws.bootstrapState` set, synthesized; the account's bootstrap stack JSON. */
function bootstrapJson(workspace: string, bootstrapState: "local" | "s3"): { name: string; json: Json } {
  const configDir = path.join(workspace, `config-${bootstrapState}`);
  for (const name of ["dev", "prod"]) {
    const file = committedConfigJson(name);
    file.aws = { ...file.aws, bootstrapState };
    writeConfigFile(configDir, name, file);
  }
  const outdir = path.join(workspace, `out-${bootstrapState}`);
  const { stacks } = synthesizeApp({ configDir, outdir });
  const bootstraps = stacks.filter((stack) => stack.startsWith("audio-pipeline-bootstrap-"));
  expect(bootstraps, "the committed files share one account, so one bootstrap stack").toHaveLength(1);
  return { name: bootstraps[0], json: JSON.parse(fs.readFileSync(path.join(outdir, "stacks", bootstraps[0], "cdk.tf.json"), "utf8")) };
}

/** Runs terraform offline: no CLI config, no proxy but a closed loopback port, a private HOME. */
function terraform(cwd: string, args: string[], input = ""): { status: number | null; output: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "tf-home-"));
  const result = spawnSync(terraformBinary(), args, {
    cwd,
    input,
    encoding: "utf8",
    timeout: 120_000,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      TMPDIR: os.tmpdir(),
      TF_CLI_CONFIG_FILE: os.devNull,
      CHECKPOINT_DISABLE: "1",
      HTTP_PROXY: "http://127.0.0.1:9",
      HTTPS_PROXY: "http://127.0.0.1:9",
    },
  });
  fs.rmSync(home, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const readState = (file: string) => JSON.parse(fs.readFileSync(file, "utf8")) as { lineage: string; serial: number; resources: { type: string; name: string }[] };

describe.skipIf(!availability.available)("real Terraform, offline: moving the bootstrap state from its local file into its bucket", () => {
  let workspace: string;
  beforeAll(() => {
    workspace = temporaryDirectory("bootstrap-state");
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it("rehearses the documented flow: local apply, init without the flag refused, init -migrate-state, nothing to change afterwards", () => {
    const local = bootstrapJson(workspace, "local");
    const remote = bootstrapJson(workspace, "s3");
    expect(remote.name).toBe(local.name);
    const name = local.name;

    // The backends as synthesized: a local file in the project root, then the account's first state bucket.
    const localBackend = local.json.terraform.backend.local;
    expect(localBackend).toEqual({ path: `../../../terraform.${name}.tfstate` });
    const s3 = remote.json.terraform.backend.s3;
    expect(s3).toMatchObject({ key: `${name}/terraform.tfstate`, encrypt: true, use_lockfile: true });
    const buckets = Object.values(remote.json.resource.aws_s3_bucket as Record<string, Json>).map((bucket) => bucket.bucket);
    expect(buckets, "the state moves into a bucket the stack itself creates").toContain(s3.bucket);
    expect(remote.json.resource, "the backend is not a resource: switching it changes nothing else").toEqual(local.json.resource);

    // cdktf.out/stacks/<stack> inside a project root, as on a laptop.
    const project = path.join(workspace, "project");
    const stackDir = path.join(project, "cdktf.out", "stacks", name);
    fs.mkdirSync(stackDir, { recursive: true });
    const addresses = Object.entries(local.json.resource as Record<string, Json>).flatMap(([type, byName]) => Object.keys(byName).map((resource) => `${type}.${resource}`));
    expect(addresses.length).toBeGreaterThan(0);
    const standIns = Object.fromEntries(addresses.map((address) => [address.replace(/\W/g, "_"), { input: address }]));
    const write = (backend: Json) =>
      fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), JSON.stringify({ terraform: { backend }, resource: { terraform_data: standIns } }, null, 2));

    // 1. The first apply, with local state (the bucket does not exist yet).
    write({ local: localBackend });
    expect(terraform(stackDir, ["init", "-input=false", "-no-color"]).status).toBe(0);
    const applied = terraform(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"]);
    expect(applied.status, applied.output).toBe(0);
    const localFile = path.join(project, `terraform.${name}.tfstate`);
    const before = readState(localFile);
    expect(before.resources).toHaveLength(addresses.length);

    // 2. aws.bootstrapState "s3" and a new synth: the backend block changes. S3 stands in as a directory.
    const bucketFile = path.join(workspace, "s3-stand-in", s3.bucket, s3.key);
    fs.mkdirSync(path.dirname(bucketFile), { recursive: true });
    write({ local: { path: bucketFile } });

    // Plain `terraform init` (what a deploy runs first) refuses, and nothing moves.
    const plain = terraform(stackDir, ["init", "-input=false", "-no-color"]);
    expect(plain.status).not.toBe(0);
    expect(plain.output).toMatch(/Backend configuration changed/);
    expect(fs.existsSync(bucketFile)).toBe(false);

    // 3. The documented command; Terraform asks, the administrator answers yes.
    const migrated = terraform(stackDir, ["init", "-migrate-state", "-no-color"], "yes\n");
    expect(migrated.status, migrated.output).toBe(0);
    expect(migrated.output).toMatch(/Do you want to copy existing state to the new backend\?/);
    const after = readState(bucketFile);
    expect(after.lineage).toBe(before.lineage);
    expect(after.serial).toBeGreaterThanOrEqual(before.serial);
    expect(after.resources.map(({ type, name: resource }) => `${type}.${resource}`).sort()).toEqual(before.resources.map(({ type, name: resource }) => `${type}.${resource}`).sort());

    // 4. From now on Terraform uses the bucket: nothing to change, and the local file is left as it was, a backup to delete.
    const plan = terraform(stackDir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]);
    expect(plan.status, plan.output).toBe(0);
    expect(plan.output).toMatch(/No changes/);
    expect(readState(localFile).lineage).toBe(before.lineage);

    // 5. The way back (the bucket unusable, the move to be undone): the same command with the local backend again.
    fs.rmSync(localFile);
    write({ local: localBackend });
    const back = terraform(stackDir, ["init", "-migrate-state", "-no-color"], "yes\n");
    expect(back.status, back.output).toBe(0);
    expect(readState(localFile).lineage).toBe(before.lineage);
    expect(terraform(stackDir, ["plan", "-detailed-exitcode", "-input=false", "-no-color"]).status).toBe(0);
  });
});
