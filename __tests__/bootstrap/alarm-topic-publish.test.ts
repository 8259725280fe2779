/*
 * A test message to the encrypted alarm topic ("does paging work?"), evaluated end to end
 * (__tests__/support/iam-evaluation.ts): the CI role's identity policy as the synthesized
 * bootstrap stack attaches it, together with the topic policy and the topic key's policy the
 * environment stack writes. The deploy role can publish; the plan and seed roles cannot; and the
 * deploy role's grant reaches no other topic, no other key and no key used outside SNS.
 */
import { Testing } from "cdktf";
import { roleNameOf } from "../../src/config/fields";
import { resolveEnvironments } from "../../src/environment/resolve";
import { BootstrapStack } from "../../src/stacks/bootstrap-stack";
import { isAllowed, type Caller, type Statement } from "../support/iam-evaluation";
import { StackAccess } from "../support/stack-access";
import { synthesizeEnvironment } from "../support/stacks";
import { scopeOf } from "./support/generated";

type Json = Record<string, any>;
const environments = resolveEnvironments("config");
const accounts = [...new Set(environments.map(({ config }) => config.aws.accountId))];
const bootstraps = new Map(
  accounts.map((accountId) => {
    const scopes = environments.filter(({ config }) => config.aws.accountId === accountId).map(({ config }) => scopeOf(config));
    return [accountId, JSON.parse(Testing.synth(new BootstrapStack(Testing.app(), { accountId, environments: scopes }))) as Json];
  }),
);

/** Every statement of the managed policies the bootstrap attaches to the role of this ARN. */
function identityOf(roleArn: string, accountId: string): Statement[] {
  const json = bootstraps.get(accountId)!;
  const [address] = Object.entries(json.resource.aws_iam_role as Json).find(([, role]) => role.name === roleNameOf(roleArn))!;
  const policies = Object.values(json.resource.aws_iam_role_policy_attachment as Json)
    .filter((attachment) => attachment.role === `\${aws_iam_role.${address}.name}`)
    .map((attachment) => json.resource.aws_iam_policy[/^\$\{aws_iam_policy\.(\w+)\.arn\}$/.exec(attachment.policy_arn)![1]].policy as string);
  expect(policies.length, roleArn).toBeGreaterThan(0);
  return policies.flatMap((policy) => JSON.parse(policy).Statement as Statement[]);
}

const stacks = new Map(environments.map(({ config, file }) => [config.environment, new StackAccess(synthesizeEnvironment({ file, config }).json, { region: config.region, accountId: config.aws.accountId })]));

describe.each(environments.map((environment) => [environment.config.environment, environment.config] as const))("%s: a test message to the alarm topic", (name, config) => {
  const access = stacks.get(name)!;
  const caller = (arn: string): Caller => ({ role: arn, identity: identityOf(arn, config.aws.accountId) });
  const deploy = caller(config.ci.deployRoleArn);

  it("the deploy role publishes with its generated policies: sns:Publish on the topic, and the topic's key through SNS", () => {
    expect(access.canPublish(deploy)).toBe(true);
  });

  it("the plan and seed roles cannot, with their generated policies, which grant neither the publish nor the key through SNS", () => {
    const topic = access.topicArn();
    const throughSns = { ...access.resourceTags, "kms:ViaService": `sns.${config.region}.amazonaws.com`, "kms:EncryptionContext:aws:sns:topicArn": topic };
    for (const arn of [config.ci.planRoleArn, config.database.seederRoleArn]) {
      expect(access.canPublish(caller(arn)), arn).toBe(false);
      // Whatever the topic and key policies say: the role's own policy does not allow it either.
      const byIdentity = (action: string, resource: string, context: Record<string, string>) => isAllowed({ caller: caller(arn), action, resource, context }, undefined, "other");
      expect(byIdentity("sns:Publish", topic, access.resourceTags), arn).toBe(false);
      expect(byIdentity("kms:GenerateDataKey", access.keyArn(access.topic.key), throughSns), arn).toBe(false);
    }
  });

  it("the deploy role's grant is this topic and its key through SNS for this topic only: not another topic or environment, not the key used directly", () => {
    // Identity alone (no resource policy grants anything here): what the generated policy itself allows.
    const byIdentity = (action: string, resource: string, context: Record<string, string>) => isAllowed({ caller: deploy, action, resource, context }, undefined, "other");
    const topic = access.topicArn();
    const key = access.keyArn(access.topic.key);
    const throughSns = { ...access.resourceTags, "kms:ViaService": `sns.${config.region}.amazonaws.com`, "kms:EncryptionContext:aws:sns:topicArn": topic };
    expect(byIdentity("sns:Publish", topic, access.resourceTags)).toBe(true);
    expect(byIdentity("kms:GenerateDataKey", key, throughSns)).toBe(true);
    expect(byIdentity("kms:Decrypt", key, throughSns)).toBe(true);
    expect(byIdentity("sns:Publish", `${topic}-other`, access.resourceTags)).toBe(false);
    const { "kms:ViaService": _sns, ...directly } = throughSns;
    expect(byIdentity("kms:GenerateDataKey", key, directly)).toBe(false);
    expect(byIdentity("kms:GenerateDataKey", key, { ...throughSns, "kms:ViaService": `sqs.${config.region}.amazonaws.com` })).toBe(false);
    expect(byIdentity("kms:GenerateDataKey", key, { ...throughSns, "kms:EncryptionContext:aws:sns:topicArn": `${topic}-other` })).toBe(false);
    for (const other of environments.filter((candidate) => candidate.config.environment !== name)) {
      const theirs = stacks.get(other.config.environment)!;
      const theirContext = { ...theirs.resourceTags, "kms:ViaService": `sns.${other.config.region}.amazonaws.com`, "kms:EncryptionContext:aws:sns:topicArn": theirs.topicArn() };
      expect(byIdentity("sns:Publish", theirs.topicArn(), theirs.resourceTags)).toBe(false);
      expect(byIdentity("kms:GenerateDataKey", theirs.keyArn(theirs.topic.key), theirContext)).toBe(false);
      expect(theirs.canPublish(deploy)).toBe(false);
    }
  });
});
