/*
 * The expressions that pick the cluster's private-endpoint SRV string are the most fragile part
 * of the stack and are replaced by stand-ins in the AWS-part plan. Here the real Terraform CLI
 * evaluates them, exactly as synthesized, against the shapes Atlas returns in
 * connection_strings[*].private_endpoint: none yet, ours, ours beside another VPC's endpoint.
 * Only the terraform binary is needed (no provider).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { registryTerraformAvailability } from "../support/terraform-runner";
import { synthesizeStacks } from "./synthesized-stacks";

const terraform = registryTerraformAvailability();
if (!terraform.available) console.warn(`[terraform] private SRV expression tests skipped: ${terraform.reason}`);

const OURS = "vpce-0aaaaaaaaaaaaaaaa";
const OTHER = "vpce-0bbbbbbbbbbbbbbbb";
const privateEndpoint = (srv: string, ...endpointIds: string[]) => ({
  srv_connection_string: srv,
  endpoints: endpointIds.map((endpoint_id) => ({ endpoint_id, provider_name: "AWS", region: "US_EAST_1" })),
});
const CASES = {
  not_published_yet: [{ private_endpoint: [] }],
  ours_only: [{ private_endpoint: [privateEndpoint("mongodb+srv://prod-pl-0.abcde.mongodb.net", OURS)] }],
  ours_beside_another: [
    {
      private_endpoint: [
        privateEndpoint("mongodb+srv://prod-pl-1.abcde.mongodb.net", OTHER),
        privateEndpoint("mongodb+srv://prod-pl-0.abcde.mongodb.net", OURS),
      ],
    },
  ],
} as const;
type CaseName = keyof typeof CASES;

/** Rewrites references to the cluster, the VPC endpoint and the local onto the case's fakes. */
function forCase(expression: string, name: CaseName): string {
  return expression
    .replaceAll("mongodbatlas_advanced_cluster.cluster.connection_strings", `local.${name}_connection_strings`)
    .replaceAll("aws_vpc_endpoint.atlas_vpc_endpoint.id", `local.vpc_endpoint_id`)
    .replaceAll("local.private_srv_connection_strings", `local.${name}_srv_strings`);
}

describe.skipIf(!terraform.available)("the private SRV expressions, evaluated by terraform", () => {
  const outputs: Record<string, { value: unknown }> = {};
  let workspace = "";

  beforeAll(() => {
    if (!terraform.available) return;
    const prod = synthesizeStacks().find((stack) => stack.name === "audio-pipeline-prod")!.json as any;
    const local = prod.locals.private_srv_connection_strings as string;
    const hostOutput = prod.output.private_srv_host.value as string;
    const precondition = prod.resource.aws_secretsmanager_secret_version.connection_secret_value.lifecycle.precondition[0].condition as string;
    const config: { locals: Record<string, unknown>; output: Record<string, { value: unknown }> } = {
      locals: { vpc_endpoint_id: OURS },
      output: {},
    };
    for (const name of Object.keys(CASES) as CaseName[]) {
      config.locals[`${name}_connection_strings`] = CASES[name];
      config.locals[`${name}_srv_strings`] = forCase(local, name);
      config.output[`${name}_strings`] = { value: `\${local.${name}_srv_strings}` };
      config.output[`${name}_host`] = { value: forCase(hostOutput, name) };
      config.output[`${name}_secret_may_be_written`] = { value: forCase(precondition, name) };
    }
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), "private-srv-"));
    fs.writeFileSync(path.join(workspace, "main.tf.json"), JSON.stringify(config, null, 2));
    const env = { PATH: process.env.PATH ?? "", HOME: workspace, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: os.devNull, TF_IN_AUTOMATION: "1" };
    for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]]) {
      const run = spawnSync(terraform.terraform, args, { cwd: workspace, env, encoding: "utf8", timeout: 60_000 });
      if (run.status !== 0) throw new Error(`terraform ${args[0]} failed: ${run.stderr || run.stdout}`);
    }
    const read = spawnSync(terraform.terraform, ["output", "-json"], { cwd: workspace, env, encoding: "utf8", timeout: 60_000 });
    Object.assign(outputs, JSON.parse(read.stdout));
  }, 120_000);

  afterAll(() => {
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  const value = (name: string) => outputs[name]?.value;

  it("finds nothing, gives no host and keeps the secret unwritten while Atlas has not published the string", () => {
    expect(value("not_published_yet_strings")).toEqual([]);
    expect(value("not_published_yet_host")).toBeUndefined(); // a null output is not listed
    expect(value("not_published_yet_secret_may_be_written")).toBe(false);
  });

  it("takes the string of this stack's VPC endpoint", () => {
    expect(value("ours_only_strings")).toEqual(["mongodb+srv://prod-pl-0.abcde.mongodb.net"]);
    expect(value("ours_only_host")).toBe("prod-pl-0.abcde.mongodb.net");
    expect(value("ours_only_secret_may_be_written")).toBe(true);
  });

  it("ignores another VPC's endpoint on the same cluster, listed first", () => {
    expect(value("ours_beside_another_strings")).toEqual(["mongodb+srv://prod-pl-0.abcde.mongodb.net"]);
    expect(value("ours_beside_another_host")).toBe("prod-pl-0.abcde.mongodb.net");
  });
});
