/*
 * Replacing a CI or database role ARN in two steps (docs/runbook-rotation.md, "Replacing a role"):
 *   step 1: `<section>.next<Field>` names the new role; old and new are both allowed;
 *   step 2: the new role becomes `<section>.<field>`, the `next` field goes; the old is removed.
 *
 * A stuck refresh cannot be reproduced offline (plans run with -refresh=false), so each step is
 * proven from its plan contents (what the step changes: the synthesized configurations compared
 * address by address, as the plan would compare them) plus an evaluation of the key, secret and
 * topic policies in force when the step is planned and applied (those of the step before), for
 * the roles CI uses at that step: the workflows assume the role ARNs of the commit they run
 * (.github/scripts/environments.ts reads config/ of that commit), so the plan of the commit that
 * switches a role already runs as the new role.
 */
import type { EnvironmentConfig } from "../../src/config/environment-config";
import { resolveEnvironments, resolveEnvironmentText } from "../../src/environment/resolve";
import { committedConfigJson } from "../support/config-files";
import { IDENTITY, type Caller } from "../support/iam-evaluation";
import { StackAccess } from "../support/stack-access";
import { synthesizeEnvironment, type TerraformJson } from "../support/stacks";

type Section = "ci" | "database";
interface Rotation {
  readonly section: Section;
  readonly field: "planRoleArn" | "deployRoleArn" | "appRoleArn" | "seederRoleArn";
  readonly next: string;
  /** What the role must be able to do for its job to keep working. */
  readonly doesItsJob: (access: StackAccess, caller: Caller) => boolean;
}

const ROTATIONS: readonly Rotation[] = [
  { section: "ci", field: "planRoleArn", next: "nextPlanRoleArn", doesItsJob: (access, caller) => access.canRefresh(caller) },
  {
    section: "ci",
    field: "deployRoleArn",
    next: "nextDeployRoleArn",
    doesItsJob: (access, caller) =>
      access.canRefresh(caller) &&
      [...access.keys.keys()].every((key) => access.canAdministerKey(caller, key)) &&
      [...access.secrets.keys()].every((secret) => access.onSecret(caller, secret, "secretsmanager:PutResourcePolicy")) &&
      access.canChangeTopic(caller),
  },
  { section: "database", field: "appRoleArn", next: "nextAppRoleArn", doesItsJob: (access, caller) => access.canReadSecret(caller, "connection_secret") },
  { section: "database", field: "seederRoleArn", next: "nextSeederRoleArn", doesItsJob: (access, caller) => access.canReadSecret(caller, "seeder_connection_secret") },
];

/** Resources that only carry the key, secret and topic policies (an aws_kms_key carries its inline policy). */
const POLICY_CARRIERS = /^(aws_kms_key|aws_kms_key_policy|aws_secretsmanager_secret_policy|aws_sns_topic_policy)\./;

/** A step: the environment file as written at that step, validated like a file, synthesized. */
interface Step {
  readonly config: EnvironmentConfig;
  readonly json: TerraformJson;
  readonly access: StackAccess;
}

function step(name: string, file: Record<string, any>): Step {
  const { config, issues } = resolveEnvironmentText(JSON.stringify(file), name);
  if (!config) throw new Error(`config/${name}.json at this step is not valid: ${JSON.stringify(issues)}`);
  const { json } = synthesizeEnvironment({ file: `config/${name}.json`, config });
  return { config, json, access: new StackAccess(json, { region: config.region, accountId: config.aws.accountId }) };
}

const addressesOf = (json: TerraformJson) => Object.entries(json.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
const bodyOf = (json: TerraformJson, address: string) => {
  const [type, name] = address.split(".");
  const { "//": _metadata, ...body } = json.resource[type][name] as Record<string, unknown>;
  return JSON.stringify(body);
};

/** The plan contents of going from one step's configuration to the next: created, destroyed, changed addresses. */
function planContents(before: TerraformJson, after: TerraformJson) {
  const was = addressesOf(before);
  const is = addressesOf(after);
  return {
    created: is.filter((address) => !was.includes(address)),
    destroyed: was.filter((address) => !is.includes(address)),
    changed: is.filter((address) => was.includes(address) && bodyOf(before, address) !== bodyOf(after, address)).sort(),
  };
}

const asCaller = (arn: string): Caller => ({ role: arn, identity: IDENTITY.administrator });

const cases = resolveEnvironments("config").flatMap(({ config }) => ROTATIONS.map((rotation) => [`${config.environment}: ${rotation.section}.${rotation.field}`, config, rotation] as const));

describe.each(cases)("replacing %s in two steps", (_name, committed, rotation) => {
  const name = committed.environment;
  const { section, field, next } = rotation;
  const old = (committed[section] as unknown as Record<string, string>)[field];
  const replacement = `arn:aws:iam::${committed.aws.accountId}:role/audio-pipeline-${name}-${field.replace(/RoleArn$/, "")}-2`;
  // Step 0 is the committed file with the role written out (a derived placeholder becomes explicit).
  const file0 = committedConfigJson(name);
  file0[section] = { ...file0[section], [field]: old };
  const step0 = step(name, file0);
  const step1 = step(name, { ...file0, [section]: { ...file0[section], [next]: replacement } });
  const step2 = step(name, { ...file0, [section]: { ...file0[section], [field]: replacement } });
  const steps = [step0, step1, step2];

  it("step 1 changes nothing but policies: it adds no resource, removes none, replaces none", () => {
    const plan = planContents(step0.json, step1.json);
    expect(plan.created).toEqual([]);
    expect(plan.destroyed).toEqual([]);
    expect(plan.changed.length).toBeGreaterThan(0);
    expect(plan.changed.filter((address) => !POLICY_CARRIERS.test(address))).toEqual([]);
  });

  it("step 2 changes policies only, except in aws-iam mode, where a database role is also its Atlas user's name", () => {
    const plan = planContents(step1.json, step2.json);
    expect(plan.created).toEqual([]);
    expect(plan.destroyed).toEqual([]);
    const others = plan.changed.filter((address) => !POLICY_CARRIERS.test(address));
    if (section === "database" && committed.database.authentication === "aws-iam") {
      // username is RequiresReplace in the provider: the user is replaced (and its secret, which
      // refers to it, rewritten). docs/runbook-rotation.md says what that means with prevent_destroy.
      expect(others).toEqual([`mongodbatlas_database_user.${field === "appRoleArn" ? "app_iam_user" : "seeder_iam_user"}`]);
    } else {
      expect(others).toEqual([]);
    }
  });

  it.each([1, 2])("step %i is planned and applied by roles that the policies in force then already allow: no stuck refresh, no lock-out", (k) => {
    const deployed = steps[k - 1].access;
    const { ci } = steps[k].config;
    // Refreshing aws_secretsmanager_secret_version calls GetSecretValue (and Decrypt through Secrets Manager).
    expect(deployed.canRefresh(asCaller(ci.planRoleArn)), `plan role ${ci.planRoleArn}`).toBe(true);
    expect(ROTATIONS[1].doesItsJob(deployed, asCaller(ci.deployRoleArn)), `deploy role ${ci.deployRoleArn}`).toBe(true);
    // KMS's lock-out check: the new key policies still let the role that writes them change them again.
    for (const key of steps[k].access.keys.keys()) {
      expect(steps[k].access.onKey({ role: ci.deployRoleArn, identity: IDENTITY.none }, key, "kms:PutKeyPolicy"), key).toBe(true);
    }
  });

  it("after step 1 the old and the new role both do the job; after step 2 only the new one", () => {
    expect(rotation.doesItsJob(step0.access, asCaller(old))).toBe(true);
    expect(rotation.doesItsJob(step0.access, asCaller(replacement))).toBe(false);
    expect(rotation.doesItsJob(step1.access, asCaller(old))).toBe(true);
    expect(rotation.doesItsJob(step1.access, asCaller(replacement))).toBe(true);
    expect(rotation.doesItsJob(step2.access, asCaller(old))).toBe(false);
    expect(rotation.doesItsJob(step2.access, asCaller(replacement))).toBe(true);
  });

  it("the same change in one step would not work: the new role is not yet allowed by the policies it must get past", () => {
    const { ci } = step2.config;
    if (section === "ci") {
      // The one-step plan runs as the new role against the policies of step 0: its refresh is denied.
      const runsTheRefresh = field === "planRoleArn" ? ci.planRoleArn : ci.deployRoleArn;
      expect(step0.access.canRefresh(asCaller(runsTheRefresh))).toBe(false);
    } else {
      // The new application or seeder role cannot read its secret until the apply: an outage for its clients.
      expect(rotation.doesItsJob(step0.access, asCaller(replacement))).toBe(false);
    }
  });
});
