import * as fs from "node:fs";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { environmentFiles } from "../../src/config/load-environment";
import { resolveEnvironments } from "../../src/environment/resolve";
import { bootstrapStackName } from "../../src/environment/names";

/** The stacks a synth of `configDir` writes: one per environment file, then one bootstrap stack per AWS account. */
export function expectedStacks(configDir = "config"): string[] {
  const environments = environmentFiles(configDir).map((file) => `audio-pipeline-${path.basename(file, ".json")}`);
  const accounts = [...new Set(resolveEnvironments(configDir).map(({ config }) => config.aws.accountId))].sort();
  return [...environments, ...accounts.map(bootstrapStackName)];
}

/** The committed dev file as plain JSON, to derive variants from. */
export function committedConfigJson(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join("config", `${name}.json`), "utf8"));
}

/** Writes `<directory>/<name>.json`; a string is written as is (for syntax errors). */
export function writeConfigFile(directory: string, name: string, content: Record<string, unknown> | string): string {
  fs.mkdirSync(directory, { recursive: true });
  const file = path.join(directory, `${name}.json`);
  fs.writeFileSync(file, typeof content === "string" ? content : `${JSON.stringify(content, null, 2)}\n`);
  return file;
}

/** Synthesizes the committed dev file without its state bucket, so the stack uses the local backend. */
export function synthesizeLocalStateDev(workspace: string): string {
  const dev = committedConfigJson("dev");
  delete dev.state;
  const configDir = path.join(workspace, "local-state-config");
  writeConfigFile(configDir, "dev", dev);
  const outdir = path.join(workspace, "local-state-out");
  synthesizeApp({ configDir, outdir });
  return outdir;
}

/** Every cdk.tf.json below a directory. */
export function synthesizedFiles(outdir: string): string[] {
  if (!fs.existsSync(outdir)) return [];
  return (fs.readdirSync(outdir, { recursive: true }) as string[]).filter((file) => file.endsWith("cdk.tf.json"));
}

/** A committed file with every placeholder replaced by a real-looking value: what diff, deploy and CI accept. */
export function deployableConfigJson(name: string): Record<string, any> {
  const config = committedConfigJson(name);
  const account = "123456789012";
  const role = (purpose: string) => `arn:aws:iam::${account}:role/audio-pipeline-${name}-${purpose}`;
  config.aws = { accountId: account };
  config.network = {
    ...config.network,
    vpcId: "vpc-0a1b2c3d4e5f60718",
    privateSubnetIds: ["subnet-0a1b2c3d4e5f60718", "subnet-0a1b2c3d4e5f60719"],
    clientSecurityGroups: { api: "sg-0a1b2c3d4e5f60718", worker: "sg-0a1b2c3d4e5f60719" },
  };
  config.state = { bucket: `audio-pipeline-terraform-state-${name}` };
  config.ci = {
    ...config.ci,
    planRoleArn: role("plan"),
    deployRoleArn: role("deploy"),
    breakGlassRoleArn: `arn:aws:iam::${account}:role/audio-pipeline-break-glass`,
    runnerLabel: "audio-pipeline-vpc",
  };
  config.database = { ...config.database, appRoleArn: role("app"), seederRoleArn: role("seeder") };
  if (config.monitoring?.alertEmails) config.monitoring.alertEmails = ["database-oncall@audio-pipeline.internal"];
  return config;
}

/**
 * Sets a dotted field of a raw environment file, creating the blocks on the way: the test then
 * works whether or not the file has that optional block (`atlas`, `monitoring`, ...).
 */
export function setField(config: Record<string, any>, dotted: string, value: unknown): Record<string, any> {
  const keys = dotted.split(".");
  let node = config;
  for (const key of keys.slice(0, -1)) {
    if (node[key] === undefined) node[key] = {};
    node = node[key];
  }
  node[keys[keys.length - 1]] = value;
  return config;
}
