/*
 * Replacing a CI role through the bootstrap stack (docs/runbook-rotation.md, "Replacing a role"):
 *   step 0: the committed file; the bootstrap creates the role of each purpose;
 *   step 1: `next<Field>` names the new role: the bootstrap creates it too (same trust, same
 *           generated policies, same session), and changes nothing else;
 *   step 2: the new role becomes the field, `next` goes: the bootstrap removes the old role's
 *           resources, and nothing else, so the new role keeps its address (no rename, which IAM
 *           does by replacement).
 * The plan contents of each step are the synthesized bootstrap configurations compared address
 * by address, as Terraform compares them (a role whose body is unchanged is not touched).
 */
import { Testing } from "cdktf";
import type { EnvironmentConfig } from "../../src/config/environment-config";
import { resolveEnvironments, resolveEnvironmentText } from "../../src/environment/resolve";
import { BootstrapStack } from "../../src/stacks/bootstrap-stack";
import { roleNameOf } from "../../src/config/fields";
import { committedConfigJson } from "../support/config-files";
import { scopeOf } from "./support/generated";

type Json = Record<string, any>;
interface Rotation {
  readonly purpose: "plan" | "deploy" | "seed";
  readonly section: "ci" | "database";
  readonly field: string;
  readonly next: string;
}
const ROTATIONS: readonly Rotation[] = [
  { purpose: "plan", section: "ci", field: "planRoleArn", next: "nextPlanRoleArn" },
  { purpose: "deploy", section: "ci", field: "deployRoleArn", next: "nextDeployRoleArn" },
  { purpose: "seed", section: "database", field: "seederRoleArn", next: "nextSeederRoleArn" },
];

const committed = resolveEnvironments("config").map(({ config }) => config);
const committedScopes = new Map(committed.map((config) => [config.environment, scopeOf(config)]));

/** The bootstrap stack of the environment's account, with the environment's file as written at this step. */
function bootstrapAt(name: string, file: Json): Json {
  const { config, issues } = resolveEnvironmentText(JSON.stringify(file), name);
  if (!config) throw new Error(`config/${name}.json at this step is not valid: ${JSON.stringify(issues)}`);
  const scopes = committed
    .filter((other) => other.aws.accountId === config.aws.accountId)
    .map((other) => (other.environment === name ? scopeOf(config) : committedScopes.get(other.environment)!));
  return JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { accountId: config.aws.accountId, environments: scopes })));
}

const addressesOf = (json: Json): string[] => Object.entries(json.resource as Json).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
const bodyOf = (json: Json, address: string): string => {
  const [type, name] = address.split(".");
  const { "//": _metadata, ...body } = json.resource[type][name];
  return JSON.stringify(body);
};
function planContents(before: Json, after: Json) {
  const was = addressesOf(before);
  const is = addressesOf(after);
  return {
    created: is.filter((address) => !was.includes(address)).sort(),
    destroyed: was.filter((address) => !is.includes(address)).sort(),
    changed: is.filter((address) => was.includes(address) && bodyOf(before, address) !== bodyOf(after, address)).sort(),
  };
}
/** The role's own resources, found by the role's name (not by how the stack keys them): the role, its attachments and the policies they attach. */
const resourcesOfRole = (json: Json, roleArn: string): string[] => {
  const role = Object.entries(json.resource.aws_iam_role as Json).find(([, body]) => body.name === roleNameOf(roleArn));
  if (!role) return [];
  const attachments = Object.entries(json.resource.aws_iam_role_policy_attachment as Json).filter(([, body]) => body.role === `\${aws_iam_role.${role[0]}.name}`);
  const policies = attachments.map(([, body]) => /^\$\{aws_iam_policy\.(\w+)\.arn\}$/.exec(body.policy_arn)![1]);
  return [`aws_iam_role.${role[0]}`, ...attachments.map(([name]) => `aws_iam_role_policy_attachment.${name}`), ...policies.map((name) => `aws_iam_policy.${name}`)].sort();
};

const cases = committed.flatMap((config) => ROTATIONS.map((rotation) => [`${config.environment}: ${rotation.section}.${rotation.field}`, config, rotation] as const));

describe.each(cases)("the bootstrap through the replacement of %s", (_name, config: EnvironmentConfig, rotation) => {
  const name = config.environment;
  const { section, field, next } = rotation;
  const old = (config[section] as unknown as Record<string, string>)[field];
  const replacement = `arn:aws:iam::${config.aws.accountId}:role/audio-pipeline-${name}-${rotation.purpose}-2`;
  const file0 = committedConfigJson(name);
  file0[section] = { ...file0[section], [field]: old };
  // A bastion the seed role also trusts: the next seed role must trust it too.
  file0.database = { ...file0.database, seederTrustedRoleArns: [`arn:aws:iam::${config.aws.accountId}:role/audio-pipeline-${name}-bastion`] };
  const steps = [
    bootstrapAt(name, file0),
    bootstrapAt(name, { ...file0, [section]: { ...file0[section], [next]: replacement } }),
    bootstrapAt(name, { ...file0, [section]: { ...file0[section], [field]: replacement } }),
  ];
  const roleOf = (json: Json, arn: string) => Object.values(json.resource.aws_iam_role as Json).find((body) => body.name === roleNameOf(arn));

  it("step 0 creates the role of the field, and no role of the replacement's name", () => {
    expect(resourcesOfRole(steps[0], old).length).toBeGreaterThanOrEqual(3);
    expect(resourcesOfRole(steps[0], replacement)).toEqual([]);
  });

  it("step 1 creates the new role (role, policies, attachments) and changes, replaces or removes nothing else", () => {
    const plan = planContents(steps[0], steps[1]);
    expect(plan.created).toEqual(resourcesOfRole(steps[1], replacement));
    expect(plan.created.length).toBe(resourcesOfRole(steps[0], old).length);
    expect(plan.destroyed).toEqual([]);
    expect(plan.changed).toEqual([]);
  });

  it("step 1's new role is the old one under another name: same trust, session and path rules, the same generated policies attached", () => {
    const [was, is] = [roleOf(steps[1], old), roleOf(steps[1], replacement)];
    expect(is.name).toBe("audio-pipeline-" + name + "-" + rotation.purpose + "-2");
    expect(JSON.parse(is.assume_role_policy)).toEqual(JSON.parse(was.assume_role_policy));
    expect(is.max_session_duration).toBe(was.max_session_duration);
    const policiesOf = (arn: string) =>
      resourcesOfRole(steps[1], arn)
        .filter((address) => address.startsWith("aws_iam_policy."))
        .map((address) => steps[1].resource.aws_iam_policy[address.split(".")[1]].policy);
    expect(policiesOf(replacement).length).toBeGreaterThan(0);
    expect(policiesOf(replacement)).toEqual(policiesOf(old));
  });

  it("step 2 removes only the old role's resources: the new role keeps its address and body (no rename, no replacement), nothing else changes", () => {
    const plan = planContents(steps[1], steps[2]);
    expect(plan.created).toEqual([]);
    expect(plan.destroyed).toEqual(resourcesOfRole(steps[1], old));
    expect(plan.changed).toEqual([]);
  });

  it("at every step, the moved blocks lead from a purpose-keyed address to the role of the field (never to a next role), and none leads from an address the stack declares", () => {
    steps.forEach((json, index) => {
      const current = index === 2 ? replacement : old;
      const declared = addressesOf(json);
      const moved = json.moved as Array<{ from: string; to: string }>;
      for (const { from, to } of moved) {
        expect(declared, to).toContain(to);
        expect(declared, from).not.toContain(from);
      }
      // The former scheme: <env>_<purpose>_role.
      const roleAddress = (arn: string) => resourcesOfRole(json, arn).find((address) => address.startsWith("aws_iam_role."));
      expect(moved.find(({ from }) => from === `aws_iam_role.${name}_${rotation.purpose}_role`)?.to).toBe(roleAddress(current));
      if (index === 1) expect(moved.filter(({ to }) => resourcesOfRole(json, replacement).includes(to))).toEqual([]);
    });
  });
});

describe("an environment that is not rotating", () => {
  it("keeps the addresses its CI roles had before they were keyed by role name: each role, policy and attachment moves there from <env>_<purpose>_role…", () => {
    for (const accountId of new Set(committed.map((config) => config.aws.accountId))) {
      const scopes = committed.filter((config) => config.aws.accountId === accountId).map((config) => committedScopes.get(config.environment)!);
      const json = JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { accountId, environments: scopes })));
      const moved = new Map((json.moved as Array<{ from: string; to: string }>).map(({ from, to }) => [to, from]));
      const roleResources = addressesOf(json).filter((address) => /^aws_iam_(role|policy|role_policy_attachment)\.ci_role_/.test(address));
      expect(roleResources.length).toBeGreaterThanOrEqual(9 * scopes.length);
      for (const scope of scopes) {
        for (const rotation of ROTATIONS) {
          const arn = (scope.config[rotation.section] as unknown as Record<string, string>)[rotation.field];
          // The scheme of the addresses written before (commit 1569e3f): <env>_<purpose>_role, _policy_<n>, _policy_<n>_attachment.
          const before = `${scope.environment}_${rotation.purpose}_role`;
          const key = resourcesOfRole(json, arn).find((address) => address.startsWith("aws_iam_role."))!.split(".")[1];
          for (const address of resourcesOfRole(json, arn)) {
            expect(moved.get(address), address).toBe(address.replace(key, before));
          }
        }
      }
    }
  });
});
