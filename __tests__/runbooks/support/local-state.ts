/*
 * A local state of the AWS part that real Terraform accepts as "already deployed", built without
 * any cloud call, so that the runbooks' `terraform state` commands and predicted plans can be
 * rehearsed with the real hashicorp/aws 5.100.0 provider (see docs/terraform-proof.md).
 *
 * One `terraform test -json -verbose` run (one process, so the provider schema loads once):
 * 1. run "planned": the real provider plans the AWS part from an empty state. Its planned values
 *    carry the defaults and normalisations a mock does not know (key_usage, tags_all, ...).
 * 2. run "deployed": `mock_provider "aws"` applies it. Terraform walks the real graph and fills
 *    every computed attribute with a generated value, so references between resources (an
 *    endpoint id inside a dashboard body, a key ARN inside a secret) agree.
 * Then the state file takes, per attribute, the real planned value where it is known, else the
 * mock's (ids, ARNs and what embeds them), except a few purely computed attributes the provider
 * validates and AWS leaves empty here (UNSET_WHEN_COMPUTED); sensitivity marks and outputs as
 * Terraform records them.
 *
 * The caller then checks that a plan of the unchanged configuration says "No changes", which
 * proves the state is one the real provider considers deployed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Json, JsonObject, TerraformJson } from "../../support/aws-part";
import type { ResourceChange, TerraformWorkspace } from "../../support/terraform-runner";

/** Attributes validated as ARNs by the provider: the mock's random text would fail validation. */
const MOCK_ARNS: Readonly<Record<string, string>> = {
  aws_sns_topic: "arn:aws:sns:us-east-1:123456789012:mock-topic",
  aws_kms_key: "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
  aws_secretsmanager_secret: "arn:aws:secretsmanager:us-east-1:123456789012:secret:mock-AbCdEf",
  aws_iam_role: "arn:aws:iam::123456789012:role/mock-role",
  aws_s3_bucket: "arn:aws:s3:::mock-bucket",
};

/**
 * Computed attributes that AWS leaves empty for this stack's resources and that the provider
 * validates, so the mock's generated text would be refused (e.g. "FIFO throughput scope can only
 * be set for FIFO topics").
 */
const UNSET_WHEN_COMPUTED = new Set(["aws_sns_topic.fifo_throughput_scope"]);

const TEST_FILE = "local-state.tftest.hcl";
const STATE_FILE = "terraform.tfstate";

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function containsUnknown(marker: Json | undefined): boolean {
  if (marker === true) return true;
  if (Array.isArray(marker)) return marker.some(containsUnknown);
  if (isObject(marker)) return Object.values(marker).some(containsUnknown);
  return false;
}

function hclString(value: Json): string {
  return JSON.stringify(typeof value === "string" ? value : JSON.stringify(value));
}

function testFile(config: TerraformJson, variables: Readonly<Record<string, string>>): string {
  const types = new Set(Object.keys(isObject(config.resource) ? config.resource : {}));
  const mocks = Object.entries(MOCK_ARNS)
    .filter(([type]) => types.has(type))
    .map(([type, arn]) => `  mock_resource "${type}" {\n    defaults = { arn = ${hclString(arn)} }\n  }`);
  const assignments = Object.entries(variables).map(([name, value]) => `  ${name} = ${hclString(value)}`);
  return [
    "# Written by __tests__/runbooks/support/local-state.ts: a real plan and a mock apply, no cloud.",
    `mock_provider "aws" {\n  alias = "mock"\n${mocks.join("\n")}\n}`,
    `variables {\n${assignments.join("\n")}\n}`,
    'run "planned" {\n  command = plan\n}',
    'run "deployed" {\n  command = apply\n  providers = { aws = aws.mock }\n}',
    "",
  ].join("\n");
}

interface StateResource {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly schema_version: number;
  readonly values: JsonObject;
}

/** The state values of one resource: the real planned value where known, else the mock's. */
function mergedValues(mock: StateResource, plan: PlannedChanges): JsonObject {
  const change = plan.resource_changes.find((candidate) => candidate.address === mock.address);
  if (!change) throw new Error(`${mock.address} was applied by the mock but not planned by the real provider`);
  const after = change.change.after ?? {};
  const unknown = isObject(change.change.after_unknown) ? change.change.after_unknown : {};
  const values: JsonObject = {};
  for (const [attribute, mockValue] of Object.entries(mock.values)) {
    if (!containsUnknown(unknown[attribute])) values[attribute] = after[attribute] ?? null;
    else values[attribute] = UNSET_WHEN_COMPUTED.has(`${mock.type}.${attribute}`) ? null : mockValue;
  }
  return values;
}

/** State v4 paths of the top-level attributes the real plan marks sensitive (e.g. secret_string). */
function sensitivePaths(address: string, plan: PlannedChanges): Json[] {
  const marks = plan.resource_changes.find((candidate) => candidate.address === address)?.change.after_sensitive;
  if (!isObject(marks)) return [];
  return Object.entries(marks)
    .filter(([, mark]) => mark === true)
    .map(([attribute]) => [{ type: "get_attr", value: attribute }]);
}

interface StateOutput {
  readonly value: Json;
  readonly type: Json;
  readonly sensitive?: boolean;
}

/** The part of a `test_plan` message read here (the plan JSON of run "planned"). */
interface PlannedChanges {
  readonly resource_changes: readonly ResourceChange[];
}

/** The plan of run "planned" and the state of run "deployed", from `terraform test -json -verbose`. */
function testOutput(stdout: string): { plan: PlannedChanges; resources: StateResource[]; outputs: Record<string, StateOutput> } {
  let plan: PlannedChanges | undefined;
  let state: { root_module?: { resources?: StateResource[] }; outputs?: Record<string, StateOutput> } | undefined;
  for (const line of stdout.split("\n")) {
    if (line.includes('"test_plan"') && line.includes('"@testrun":"planned"')) plan = (JSON.parse(line) as { test_plan: PlannedChanges }).test_plan;
    if (line.includes('"test_state"') && line.includes('"@testrun":"deployed"')) state = (JSON.parse(line) as { test_state: typeof state }).test_state;
  }
  if (!plan || !state?.root_module?.resources) throw new Error(`terraform test printed no plan or no state:\n${stdout.slice(-2000)}`);
  const outputs = Object.fromEntries(
    Object.entries(state.outputs ?? {}).map(([name, output]) => [name, { value: output.value, type: output.type, ...(output.sensitive ? { sensitive: true } : {}) }]),
  );
  return { plan, resources: state.root_module.resources.filter((resource) => resource.mode === "managed"), outputs };
}

/**
 * Writes terraform.tfstate into the workspace: the AWS part "deployed" with the given variables.
 * The workspace holds the configuration (main.tf.json, with the offline provider settings) and is initialized.
 */
export async function writeDeployedState(
  workspace: TerraformWorkspace,
  config: TerraformJson,
  variables: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<void> {
  const testPath = path.join(workspace.dir, TEST_FILE);
  fs.writeFileSync(testPath, testFile(config, variables));
  let tested;
  try {
    tested = await workspace.run(["test", "-json", "-verbose", "-no-color"], timeoutMs);
  } finally {
    fs.rmSync(testPath, { force: true });
  }
  const { plan, resources, outputs } = testOutput(tested.stdout);
  const state = {
    version: 4,
    terraform_version: "1.11.4",
    serial: 1,
    lineage: "5d2a0f5e-0000-4000-8000-000000000001",
    outputs,
    resources: resources.map((resource) => ({
      mode: resource.mode,
      type: resource.type,
      name: resource.name,
      provider: `provider["${resource.provider_name}"]`,
      instances: [
        {
          schema_version: resource.schema_version,
          attributes: mergedValues(resource, plan),
          sensitive_attributes: sensitivePaths(resource.address, plan),
        },
      ],
    })),
  };
  fs.writeFileSync(path.join(workspace.dir, STATE_FILE), `${JSON.stringify(state, null, 1)}\n`);
}

/** What a human-readable plan says per resource: `# <address> <phrase>` lines, e.g. "must be replaced". */
export function planLines(text: string): string[] {
  return text
    .split("\n")
    .map((line) => /^\s*# (\S+) ((?:will|must) be .*|is tainted.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => `# ${match[1]} ${match[2]}`);
}
