/*
 * The runbooks, rehearsed where the tools allow (issue 13):
 * - every Terraform address, config field, seeder option and stack output they name exists;
 * - their import ids have the format the provider 1.41.1 importers parse;
 * - their `terraform state` commands run, in document order, on a local state of the AWS part
 *   (plus address-only entries for the Atlas and random resources the AWS part leaves out);
 * - every plan they predict for the AWS part is the plan real Terraform 1.11 with the
 *   hashicorp/aws 5.100.0 provider makes, from a deployed-looking local state (support/local-state.ts);
 * - leaving-cdktf.md lists every synthesized ignore_changes path and each binding's versions.
 *
 * The Terraform part needs TF_PLUGIN_MIRROR (see docs/terraform-proof.md) and is skipped with the
 * reason printed otherwise; everything else always runs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesizeApp } from "../../src/app";
import { main as seedMain } from "../../src/seed/main";
import { toAwsPart, type AwsPartResult, type JsonObject, type TerraformJson } from "../support/aws-part";
import { committedConfigJson, writeConfigFile } from "../support/config-files";
import { offlineTerraformAvailability, settled, TerraformWorkspace, withAwsOfflineSettings } from "../support/terraform-runner";
import { REPO_ROOT, synthesizeStacks } from "../terraform/synthesized-stacks";
import { planLines, writeDeployedState } from "./support/local-state";
import {
  addressesIn,
  configFieldsIn,
  outputsRead,
  PLAN_PHRASES,
  planLineAddress,
  predictedPlans,
  readRunbooks,
  seedInvocations,
  terraformCommands,
  type PredictedPlan,
  type TerraformCommand,
} from "./support/runbook-text";

type Config = Record<string, any>;

const RUNBOOKS = readRunbooks(REPO_ROOT);
const COMMITTED = synthesizeStacks();

/** Import id formats of provider 1.41.1, from its importers. */
const IMPORT_FORMATS: Readonly<Record<string, { readonly pattern: RegExp; readonly source: string }>> = {
  // splitSClusterAdvancedImportID in internal/service/advancedcluster/resource_advanced_cluster.go
  mongodbatlas_advanced_cluster: { pattern: /^([0-9a-fA-F]{24})-(.+)$/s, source: "{project_id}-{name}" },
  // resourceImport in internal/service/cloudbackupschedule/resource_cloud_backup_schedule.go: SplitN(id, "-", 2)
  mongodbatlas_cloud_backup_schedule: { pattern: /^[0-9a-fA-F]{24}-.+$/s, source: "{project_id}-{cluster_name}" },
};

/** Values for the shell variables the runbooks' terraform commands use. */
const SHELL_VALUES: Readonly<Record<string, string>> = {
  PROJECT_ID: "64b0f1e2a3c4d5e6f7a8b9c0",
  SOURCE: "audio-pipeline-prod",
  TARGET: "audio-pipeline-prod-r1",
  ENV: "prod",
  STACK: "audio-pipeline-prod",
};

function expand(word: string): string {
  return word.replace(/\$\{?([A-Z_]+)\}?/g, (_match, name: string) => {
    const value = SHELL_VALUES[name];
    if (value === undefined) throw new Error(`the rehearsal has no value for $${name} (in "${word}"); add one to SHELL_VALUES`);
    return value;
  });
}

function allResourceAddresses(json: TerraformJson): Set<string> {
  const found = new Set<string>();
  for (const [type, byName] of Object.entries((json.resource ?? {}) as JsonObject)) {
    for (const name of Object.keys(byName as JsonObject)) found.add(`${type}.${name}`);
  }
  return found;
}

/** The dotted paths of every field of the environment-file schema. */
function schemaFields(): Set<string> {
  const schema = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "config", "environment.schema.json"), "utf8"));
  const fields = new Set<string>();
  const walk = (node: any, prefix: string) => {
    for (const [key, child] of Object.entries<any>(node?.properties ?? {})) {
      const field = prefix ? `${prefix}.${key}` : key;
      fields.add(field);
      walk(child, field);
    }
  };
  walk(schema, "");
  return fields;
}

/** Synthesizes environment files through the real app into a temp dir; returns each stack's JSON. */
function synthesizeConfigs(label: string, configs: Record<string, Config>): Record<string, TerraformJson> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), `runbook-${label}-`));
  try {
    const configDir = path.join(workspace, "config");
    for (const [name, config] of Object.entries(configs)) writeConfigFile(configDir, name, config);
    const outdir = path.join(workspace, "out");
    const { stacks } = synthesizeApp({ configDir, outdir });
    return Object.fromEntries(stacks.map((stack) => [stack, JSON.parse(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json"), "utf8"))]));
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

const FIELDS = schemaFields();

/**
 * dev, in password mode when the schema has the switch, so that rotation has passwords to rotate
 * (password mode needs an environment that pull requests do not plan).
 */
function baseDev(): Config {
  const dev = committedConfigJson("dev");
  if (FIELDS.has("database.authentication")) dev.database = { ...dev.database, authentication: "password" };
  if (FIELDS.has("ci.pullRequestPlan")) dev.ci = { ...dev.ci, pullRequestPlan: false };
  return dev;
}

/** A resource of an AWS part as text, with the values of the stand-in variables it reads. */
function awsResourceWithStandIns(part: AwsPartResult, address: string): string {
  const [type, name] = address.split(".");
  const body = JSON.stringify(((part.config.resource as JsonObject)[type] as JsonObject | undefined)?.[name] ?? null);
  const standIns = part.standIns.filter((standIn) => body.includes(`var.${standIn.name}`)).map((standIn) => JSON.stringify(standIn.default));
  return `${body} ${standIns.join(" ")}`;
}

function clusterName(json: TerraformJson): string {
  const cluster = ((json.resource as JsonObject).mongodbatlas_advanced_cluster as JsonObject).cluster as JsonObject;
  return cluster.name as string;
}

const hoursFromNow = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * How each predicted plan is produced from dev: a config change (re-synthesized) or new values
 * for stand-ins (a replaced random_password has a new result).
 */
const SCENARIOS: Readonly<Record<string, { readonly config?: (config: Config) => void; readonly newRandomResults?: boolean }>> = {
  "restore-cutover": { config: (config) => void (config.atlas = { ...config.atlas, clusterName: `${clusterName(BASE_DEV)}-r1` }) },
  "rotate-passwords": { newRandomResults: true },
  "tier-change": { config: (config) => void (config.atlas = { ...config.atlas, tier: "M20" }) },
  "fcv-pin": { config: (config) => void (config.atlas = { ...config.atlas, pinFcvSince: hoursFromNow(-1), pinFcvUntil: hoursFromNow(24 * 14) }) },
  "major-upgrade": { config: (config) => void (config.atlas = { ...config.atlas, mongoDbMajorVersion: "8.0" }) },
};

const PLANS: PredictedPlan[] = RUNBOOKS.flatMap(predictedPlans);
const knownAddresses = new Set(COMMITTED.flatMap((stack) => [...allResourceAddresses(stack.json)]));
const BASE_DEV = synthesizeConfigs("base", { dev: baseDev() })["audio-pipeline-dev"];
allResourceAddresses(BASE_DEV).forEach((address) => knownAddresses.add(address));

function checkAddress(address: string, where: string): void {
  if (knownAddresses.has(address)) return;
  throw new Error(`${where} names ${address}, which no synthesized stack (dev, prod, dev in password mode) has`);
}

const REHEARSAL_VARIABLES: Readonly<Record<string, string>> = { atlas_org_id: "5f0c0ffee0c0ffee0c0ffee0" };
const offline = offlineTerraformAvailability();
if (!offline.available) console.warn(`[runbooks] skipping the rehearsal with real Terraform: ${offline.reason}`);
// Started now, so that Terraform runs beside the synth-only tests below; the rehearsal tests await it.
const REHEARSAL = offline.available ? settled(rehearse(offline)) : undefined;

describe("runbooks: what they name exists", () => {
  it("finds the runbooks and their predicted plans", () => {
    expect(RUNBOOKS.map((runbook) => runbook.file)).toEqual(
      expect.arrayContaining(["docs/leaving-cdktf.md", "docs/runbook-restore.md", "docs/runbook-rotation.md", "docs/runbook-upgrade.md"]),
    );
    expect(PLANS.length).toBeGreaterThanOrEqual(5);
  });

  it.each(RUNBOOKS)("$file: every Terraform address exists in a synthesized stack", ({ file, text }) => {
    const addresses = addressesIn(text);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) checkAddress(address, file);
  });

  it.each(RUNBOOKS)("$file: every config field exists in the schema", ({ file, text }) => {
    const missing = configFieldsIn(text).filter((field) => !FIELDS.has(field));
    expect(missing, `${file} names config fields the schema does not have`).toEqual([]);
  });

  it.each(RUNBOOKS)("$file: every seeder command and option exists", async ({ file, text }) => {
    const help: string[] = [];
    const deps = { stdout: (line: string) => help.push(line), stderr: () => undefined, env: {} };
    await seedMain(["--help"], deps as unknown as Parameters<typeof seedMain>[1]);
    const usage = help.join("\n");
    for (const invocation of seedInvocations(text)) {
      expect(["spec", "plan", "apply"], `${file}: npm run seed -- ${invocation.join(" ")}`).toContain(invocation[0]);
      for (const option of invocation.filter((word) => word.startsWith("-"))) {
        expect(usage, `${file}: seeder option ${option}`).toMatch(new RegExp(`(^|\\s)${option.replace(/[-]/g, "\\-")}(\\s|,|$)`, "m"));
      }
    }
  });

  it.each(RUNBOOKS)("$file: every stack output it reads exists in both stacks", ({ file, text }) => {
    for (const output of outputsRead(text)) {
      for (const stack of COMMITTED) expect(Object.keys(stack.json.output as JsonObject), `${file}: output ${output} in ${stack.name}`).toContain(output);
    }
  });

  it.each(PLANS)("$file predicts $scenario with Terraform's own wording and a scenario the rehearsal knows", ({ file, scenario, lines }) => {
    expect(Object.keys(SCENARIOS), `${file}: scenario "${scenario}"`).toContain(scenario);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line, `${file}: ${line}`).toMatch(new RegExp(`^# \\S+ (${PLAN_PHRASES.join("|")})$`));
      checkAddress(planLineAddress(line), `${file} (plan ${scenario})`);
    }
  });

  it("restore-cutover: in every environment (prod too), the AWS resources a new cluster name changes are the predicted AWS lines", () => {
    // The rehearsal plans dev; here each committed environment is synthesized with a new cluster
    // name, and the AWS resources whose configuration (with its stand-in values) changes are compared.
    const predicted = [
      ...new Set(PLANS.filter((plan) => plan.scenario === "restore-cutover").flatMap((plan) => plan.lines.map(planLineAddress))),
    ].filter((address) => address.startsWith("aws_"));
    expect(predicted.length).toBeGreaterThan(0);
    const renamed = Object.fromEntries(
      COMMITTED.map((stack) => {
        // The file as committed, any optional block absent; the cluster name is read from the stack.
        const config = committedConfigJson(stack.config.environment);
        config.atlas = { ...config.atlas, clusterName: `${clusterName(stack.json)}-r1` };
        return [stack.config.environment, config];
      }),
    );
    const after = synthesizeConfigs("renamed", renamed);
    for (const stack of COMMITTED) {
      const before = toAwsPart(stack.json);
      const changed = toAwsPart(after[stack.name]);
      const addresses = [...allResourceAddresses(before.config), ...allResourceAddresses(changed.config)];
      const differing = [...new Set(addresses)].filter((address) => awsResourceWithStandIns(before, address) !== awsResourceWithStandIns(changed, address));
      expect(differing.sort(), stack.name).toEqual([...predicted].sort());
    }
  });

  it("the provider versions a runbook says it was checked against are the pinned ones", () => {
    const pinned = (binding: string) =>
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", binding, "package.json"), "utf8")).cdktf.provider.version as string;
    const versions: Record<string, string> = { mongodbatlas: pinned("@cdktf/provider-mongodbatlas"), aws: pinned("@cdktf/provider-aws") };
    let stated = 0;
    for (const { file, text } of RUNBOOKS) {
      for (const match of text.matchAll(/\b(mongodbatlas|aws)(?:\s+provider)?\s+\*\*([0-9.]+)\*\*/g)) {
        stated += 1;
        expect(match[2], `${file}: ${match[0]}`).toBe(versions[match[1]]);
      }
    }
    expect(stated).toBeGreaterThan(0);
  });

  it("import ids have the format the provider 1.41.1 importers parse", () => {
    const imports = RUNBOOKS.flatMap(terraformCommands).filter((command) => command.args[0] === "import");
    expect(imports.length).toBeGreaterThan(0);
    for (const { file, line, args } of imports) {
      const [address, id] = args.slice(-2);
      const format = IMPORT_FORMATS[address.split(".")[0]];
      expect(format, `${file}: no known import format for ${address}`).toBeDefined();
      expect(expand(id), `${file}: "${line}" must use ${format.source}`).toMatch(format.pattern);
    }
  });

  it("each runbook of issue 13 says who approves, what the application sees, how to verify, how to roll back and how long it takes", () => {
    const issue13 = ["docs/runbook-restore.md", "docs/runbook-upgrade.md", "docs/runbook-rotation.md", "docs/leaving-cdktf.md"];
    for (const { file, text } of RUNBOOKS.filter((runbook) => issue13.includes(runbook.file))) {
      for (const heading of [/who approves/i, /what the application sees/i, /verif/i, /rollback/i, /rough time/i, /exit 0|exits \*\*0\*\*|exit\*\* ?0|\*\*exit 0\*\*/i]) {
        expect(text, `${file} lacks ${heading}`).toMatch(heading);
      }
    }
  });
});

describe("runbook-upgrade.md: switching compute auto-scaling off", () => {
  it("sends compute_enabled and compute_scale_down_enabled both false, also where scale-down was on", () => {
    // GIVEN prod (compute auto-scaling with scaleDown) with atlas.autoScaling.compute removed, as the runbook says
    const prod = committedConfigJson("prod");
    expect(prod.atlas?.autoScaling?.compute?.scaleDown, "prod scales down today; the variant turns it off").toBe(true);
    prod.atlas = { ...prod.atlas, autoScaling: { ...prod.atlas.autoScaling, compute: undefined }, tier: "M30" };
    // WHEN synthesized
    const json = synthesizeConfigs("autoscaling-off", { prod })["audio-pipeline-prod"];
    // THEN both switches are off, and the size is no longer ignored
    const cluster = ((json.resource as JsonObject).mongodbatlas_advanced_cluster as JsonObject).cluster as any;
    const autoScaling = cluster.replication_specs[0].region_configs[0].auto_scaling;
    expect(autoScaling).toMatchObject({ compute_enabled: false, compute_scale_down_enabled: false });
    expect(cluster.lifecycle?.ignore_changes ?? []).toEqual([]);
  });
});

describe("leaving-cdktf.md", () => {
  const text = RUNBOOKS.find((runbook) => runbook.file === "docs/leaving-cdktf.md")!.text;
  const rows = text.split("\n").filter((line) => line.startsWith("|"));

  it("lists every ignore_changes path the stacks synthesize, in 1.x and 2.x syntax, on its resource's row", () => {
    const paths = new Map<string, string>();
    for (const stack of COMMITTED) {
      for (const [type, byName] of Object.entries(stack.json.resource as JsonObject)) {
        for (const [name, body] of Object.entries(byName as JsonObject)) {
          for (const ignored of ((body as JsonObject).lifecycle as JsonObject | undefined)?.ignore_changes as string[] | undefined ?? []) {
            paths.set(ignored, `${type}.${name}`);
          }
        }
      }
    }
    expect(paths.size, "prod auto-scales, so at least one path is synthesized").toBeGreaterThan(0);
    // Columns: resource | why | mongodbatlas 1.x (today) | mongodbatlas 2.x
    const cells = (row: string) => row.split("|").slice(1, -1).map((cell) => cell.trim());
    for (const [ignored, address] of paths) {
      const row = rows.map(cells).find((candidate) => candidate[0]?.includes(`\`${address}\``) && candidate[2] === `\`${ignored}\``);
      expect(row, `no table row names ${address} with ${ignored} in the 1.x (today) column`).toBeDefined();
      // mongodbatlas 2.x: nested *_specs are single attributes, so their [0] goes.
      expect(row![3]).toBe(`\`${ignored.replace(/((?:electable|read_only|analytics)_specs)\[0\]/g, "$1")}\``);
    }
  });

  it("names each binding with its version and its Terraform provider's version", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    const bindings = Object.keys(pkg.dependencies).filter((name) => name.startsWith("@cdktf/provider-"));
    expect(bindings.length).toBeGreaterThanOrEqual(3);
    for (const binding of bindings) {
      const meta = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules", binding, "package.json"), "utf8"));
      const provider = (meta.cdktf.provider.name as string).replace("registry.terraform.io/", "");
      const row = rows.find((candidate) => candidate.includes(`\`${binding}\``));
      expect(row, `no table row for ${binding}`).toBeDefined();
      expect(row).toContain(`| ${pkg.dependencies[binding]} |`);
      expect(row).toContain(`${provider} ${meta.cdktf.provider.version}`);
    }
  });
});


/** Resources of the full stack that the AWS part leaves out, as address-only state entries. */
function stubResources(awsPart: AwsPartResult): JsonObject[] {
  const registry: Record<string, string> = { mongodbatlas: "mongodb/mongodbatlas", random: "hashicorp/random" };
  return awsPart.removed.resources
    .filter((address) => !address.startsWith("data."))
    .map((address) => stub(address, registry[address.split("_")[0]] ?? `hashicorp/${address.split("_")[0]}`));
}

function stub(address: string, provider: string): JsonObject {
  const [type, name] = address.split(".");
  return {
    mode: "managed",
    type,
    name,
    provider: `provider["registry.terraform.io/${provider}"]`,
    instances: [{ schema_version: 0, attributes: { id: `stub-${name}` }, sensitive_attributes: [] }],
  };
}

/** What a scenario changes: the AWS part to plan, and new values for stand-in variables. */
function scenarioInput(base: AwsPartResult, scenario: string): { part: AwsPartResult; variables: Record<string, string> } {
  const definition = SCENARIOS[scenario];
  let part = base;
  if (definition.config) {
    const changed = baseDev();
    definition.config(changed);
    part = toAwsPart(synthesizeConfigs(scenario, { dev: changed })["audio-pipeline-dev"]);
  }
  const variables: Record<string, string> = {};
  if (definition.newRandomResults) {
    for (const standIn of part.standIns.filter((candidate) => /^random_password\./.test(candidate.replaces))) {
      variables[standIn.name] = `Rotated${String(standIn.default).slice(7)}`;
    }
    if (Object.keys(variables).length === 0) throw new Error(`scenario ${scenario}: dev in password mode has no random_password to rotate`);
  }
  const standIns = part.standIns.map((standIn) => (standIn.name in variables ? { ...standIn, default: variables[standIn.name] } : standIn));
  return { part: { ...part, standIns }, variables };
}

/** What the rehearsal found; its tests read it. */
interface Rehearsal {
  /** The deployed-looking local state of dev's AWS part (terraform.tfstate). */
  readonly stateFile: string;
  readonly base: AwsPartResult;
  /** Resource lines of each real plan, by "<file> <scenario>"; no entry: the AWS part did not change. */
  readonly plans: ReadonlyMap<string, string[]>;
  /** AWS resources whose configuration (with stand-in values) the scenario changes, by the same key. */
  readonly changed: ReadonlyMap<string, string[]>;
  readonly workspaces: readonly TerraformWorkspace[];
}

/**
 * Builds the local state of dev's AWS part, then plans every scenario whose AWS part changes, all
 * in ONE Terraform process: each scenario is a child module of one configuration, and the deployed
 * state is copied under each module's address. One plan loads the provider schemas once, where a
 * plan per scenario loaded them once each.
 */
async function rehearse(available: { readonly terraform: string; readonly mirror: string }): Promise<Rehearsal> {
  const installation = { kind: "mirror", mirror: available.mirror } as const;
  const base = toAwsPart(BASE_DEV);
  const changed = new Map<string, string[]>();
  /** Each scenario whose AWS part changes, once, with the predicted plans ("<file> <scenario>") it answers. */
  const scenarios = new Map<string, { readonly config: TerraformJson; readonly variables: Record<string, string>; readonly keys: string[] }>();
  const differingBy = new Map<string, string[]>();
  for (const { file, scenario } of PLANS) {
    if (!SCENARIOS[scenario]) continue;
    if (!differingBy.has(scenario)) {
      const { part, variables } = scenarioInput(base, scenario);
      const differing = [...allResourceAddresses(base.config), ...allResourceAddresses(part.config)].filter(
        (address) => awsResourceWithStandIns(base, address) !== awsResourceWithStandIns(part, address),
      );
      differingBy.set(scenario, [...new Set(differing)].sort());
      // An AWS part that does not change plans no AWS change: the state was applied from that configuration.
      if (differing.length > 0) scenarios.set(scenario, { config: part.config, variables, keys: [] });
    }
    changed.set(`${file} ${scenario}`, differingBy.get(scenario)!);
    scenarios.get(scenario)?.keys.push(`${file} ${scenario}`);
  }

  const deployed = TerraformWorkspace.create({
    name: "runbook-deployed",
    terraform: available.terraform,
    installation,
    files: { "main.tf.json": withAwsOfflineSettings(base.config) },
  });
  const files: Record<string, TerraformJson> = {};
  const modules: JsonObject = {};
  for (const [scenario, { config, variables }] of scenarios) {
    files[`${scenario}/main.tf.json`] = withAwsOfflineSettings(config);
    const declared = Object.keys((config.variable ?? {}) as JsonObject);
    const inputs = Object.entries({ ...REHEARSAL_VARIABLES, ...variables }).filter(([name]) => declared.includes(name));
    modules[scenario] = { source: `./${scenario}`, ...Object.fromEntries(inputs) };
  }
  const planned = TerraformWorkspace.create({
    name: "runbook-scenarios",
    terraform: available.terraform,
    installation,
    files: { "main.tf.json": { module: modules }, ...files },
  });
  const workspaces = [deployed, planned];
  await Promise.all([deployed.init(), scenarios.size > 0 ? planned.init() : undefined]);
  await writeDeployedState(deployed, base.config, REHEARSAL_VARIABLES, 180_000);

  const plans = new Map<string, string[]>();
  if (scenarios.size > 0) {
    // The deployed resources under each scenario's module; the aws provider is configured in the
    // module, Terraform's built-in one (terraform_data) is the root's. Module outputs are not state.
    const state = JSON.parse(fs.readFileSync(path.join(deployed.dir, "terraform.tfstate"), "utf8"));
    const aws = 'provider["registry.terraform.io/hashicorp/aws"]';
    state.resources = [...scenarios.keys()].flatMap((scenario) =>
      (state.resources as JsonObject[]).map((resource) => ({
        module: `module.${scenario}`,
        ...resource,
        provider: String(resource.provider).startsWith(aws) ? `module.${scenario}.${resource.provider}` : resource.provider,
      })),
    );
    state.outputs = {};
    fs.writeFileSync(path.join(planned.dir, "terraform.tfstate"), JSON.stringify(state));
    const result = await planned.run(["plan", "-refresh=false", "-lock=false", "-input=false", "-no-color"], 180_000);
    const lines = planLines(result.stdout);
    for (const [scenario, { keys }] of scenarios) {
      const prefix = `# module.${scenario}.`;
      const own = lines.filter((line) => line.startsWith(prefix)).map((line) => `# ${line.slice(prefix.length)}`).sort();
      for (const key of keys) plans.set(key, own);
    }
    const elsewhere = lines.filter((line) => ![...scenarios.keys()].some((scenario) => line.startsWith(`# module.${scenario}.`)));
    if (elsewhere.length > 0) throw new Error(`the scenario plan changes resources outside the scenarios' modules:\n${elsewhere.join("\n")}`);
  }
  return { stateFile: path.join(deployed.dir, "terraform.tfstate"), base, plans, changed, workspaces };
}

describe.skipIf(!offline.available)("runbooks rehearsed with real Terraform on a local state of the AWS part", () => {
  afterAll(async () => {
    const rehearsal = await REHEARSAL?.catch(() => undefined);
    if (!rehearsal) return;
    const timings = rehearsal.workspaces.flatMap((workspace) => workspace.timings.map(({ command, durationMs }) => `${command} ${(durationMs / 1000).toFixed(1)} s`));
    console.log(`[runbooks] rehearsal with ${offline.available ? offline.version : ""}: ${timings.join(", ")}`);
    rehearsal.workspaces.forEach((workspace) => workspace.dispose());
  });

  it("the local state is faithful: no real plan changes an AWS resource whose configuration the scenario leaves as it is", async () => {
    const { plans, changed } = (await REHEARSAL)!;
    expect(plans.size, "at least one scenario changes the AWS part").toBeGreaterThan(0);
    for (const [key, lines] of plans) {
      expect(lines.map(planLineAddress).filter((address) => !changed.get(key)!.includes(address)), key).toEqual([]);
    }
  });

  it.each(PLANS)("$file: the AWS lines of plan $scenario are what Terraform plans", async ({ file, scenario, lines }) => {
    const { plans } = (await REHEARSAL)!;
    const predicted = lines.filter((line) => planLineAddress(line).startsWith("aws_")).sort();
    expect(plans.get(`${file} ${scenario}`) ?? []).toEqual(predicted);
  });

  it("the terraform state and import commands run in document order on the local state", async () => {
    const { stateFile: deployedState, base, workspaces } = (await REHEARSAL)!;
    // A directory of its own: `state pull` reads the working directory's state, and the deployed one stays as it is.
    const surgery = TerraformWorkspace.create({
      name: "runbook-state",
      terraform: offline.available ? offline.terraform : "terraform",
      installation: { kind: "mirror", mirror: offline.available ? offline.mirror : "" },
      files: {},
    });
    (workspaces as TerraformWorkspace[]).push(surgery);
    const stateFile = path.join(surgery.dir, "terraform.tfstate");
    const state = JSON.parse(fs.readFileSync(deployedState, "utf8"));
    state.resources.push(...stubResources(base));
    fs.writeFileSync(stateFile, JSON.stringify(state));
    const commands: TerraformCommand[] = RUNBOOKS.flatMap(terraformCommands).filter((command) => ["state", "import"].includes(command.args[0]));
    expect(commands.some((command) => command.args[1] === "rm")).toBe(true);
    for (const { file, line, args } of commands) {
      if (args[0] === "import") {
        const address = args[args.length - 2];
        const listed = (await surgery.run(["state", "list"], 60_000)).stdout.split("\n").filter(Boolean);
        expect(listed, `${file}: "${line}" imports an address still in state ("Resource already managed")`).not.toContain(address);
        // The mongodbatlas provider is not available offline: the import itself is stood in for.
        const current = JSON.parse(fs.readFileSync(stateFile, "utf8"));
        current.resources.push(stub(address, "mongodb/mongodbatlas"));
        current.serial += 1;
        fs.writeFileSync(stateFile, JSON.stringify(current));
        continue;
      }
      const [, subcommand, ...rest] = args;
      expect(["list", "pull", "rm", "mv", "show"], `${file}: ${line}`).toContain(subcommand);
      const result = await surgery.run(["state", subcommand, ...rest.map(expand)], 60_000, [0, 1]);
      expect(result.exitCode, `${file}: "${line}" failed:\n${result.stderr}`).toBe(0);
      if (subcommand === "pull") expect(JSON.parse(result.stdout).version).toBe(4);
    }
  });
});
