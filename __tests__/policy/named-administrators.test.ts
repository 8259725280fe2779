/*
 * Who may administer the keys, delete or re-policy the secrets, change the alarm topic and
 * publish a test message to it: evaluated (support/iam-evaluation.ts) on the policies each
 * environment file's stack writes. Every caller outside the named roles gets AdministratorAccess
 * or PowerUserAccess in IAM, the issue's measured case: only the resource policies stand between
 * them and the keys and secrets.
 */
import * as fs from "node:fs";
import { resolveEnvironments, resolveEnvironmentText, type ResolvedEnvironment } from "../../src/environment/resolve";
import { IDENTITY, type Caller, type Statement } from "../support/iam-evaluation";
import { SECRET_ADMINISTRATION, StackAccess } from "../support/stack-access";
import { synthesizeEnvironment } from "../support/stacks";

const role = (arn: string, identity: readonly Statement[] = IDENTITY.administrator, recreated = false): Caller => ({ role: arn, identity, recreated });

const environments = resolveEnvironments("config");

/** The stack of an environment, its access questions, and the roles it names. */
function subject(environment: ResolvedEnvironment) {
  const { config } = environment;
  const access = new StackAccess(synthesizeEnvironment(environment).json, { region: config.region, accountId: config.aws.accountId });
  const account = config.aws.accountId;
  const others = environments.filter((other) => other.config.environment !== config.environment);
  const outsiders: Record<string, Caller> = {
    "the plan role": role(config.ci.planRoleArn),
    "the application role": role(config.database.appRoleArn),
    "the seeder role": role(config.database.seederRoleArn),
    "an unnamed AdministratorAccess role of the account": role(`arn:aws:iam::${account}:role/someone-with-administrator-access`),
    "a PowerUserAccess role of the account": role(`arn:aws:iam::${account}:role/someone-with-power-user-access`, IDENTITY.powerUser),
    ...Object.fromEntries(others.map((other) => [`${other.config.environment}'s deploy role (AdministratorAccess)`, role(other.config.ci.deployRoleArn)])),
  };
  return { config, access, outsiders };
}

describe.each(environments.map((environment) => [environment.config.environment, environment] as const))("%s: administration by named roles only", (_name, environment) => {
  const { config, access, outsiders } = subject(environment);
  const breakGlass = config.ci.breakGlassRoleArn;
  const administrators: Record<string, Caller> = {
    "the deploy role": role(config.ci.deployRoleArn),
    ...(breakGlass ? { "the break-glass role": role(breakGlass) } : {}),
  };
  const keys = [...access.keys.keys()];
  const secrets = [...access.secrets.keys()];

  it.each(Object.entries(administrators))("%s administers every key and every secret (delete, re-policy, rewrite)", (_who, caller) => {
    for (const key of keys) expect(access.canAdministerKey(caller, key), key).toBe(true);
    for (const secret of secrets) for (const action of SECRET_ADMINISTRATION) expect(access.onSecret(caller, secret, action), `${secret} ${action}`).toBe(true);
  });

  it.each(Object.entries(outsiders))("%s cannot administer any key, nor delete, re-policy or rewrite any secret", (_who, caller) => {
    for (const key of keys) expect(access.cannotAdministerKeyAtAll(caller, key), key).toBe(true);
    for (const secret of secrets) for (const action of SECRET_ADMINISTRATION) expect(access.onSecret(caller, secret, action), `${secret} ${action}`).toBe(false);
  });

  it("keeps each key recoverable: a named role deleted and recreated under its name administers again, through its IAM policy", () => {
    for (const arn of Object.values(administrators).map((caller) => ("role" in caller ? caller.role : ""))) {
      for (const key of keys) {
        expect(access.canAdministerKey(role(arn, IDENTITY.administrator, true), key), `${arn} recreated, ${key}`).toBe(true);
        // Only through the account root's aws:PrincipalArn list, which needs the role's own IAM permission.
        expect(access.cannotAdministerKeyAtAll(role(arn, IDENTITY.none, true), key), `${arn} recreated without IAM policy, ${key}`).toBe(true);
      }
    }
  });

  it("keeps the lock-out guard: the deploy role may change every key's policy with no IAM policy at all", () => {
    for (const key of keys) expect(access.onKey(role(config.ci.deployRoleArn, IDENTITY.none), key, "kms:PutKeyPolicy"), key).toBe(true);
  });

  it.each(Object.entries(administrators))("the alarm topic accepts a test message from %s", (_who, caller) => {
    expect(access.canPublish(caller)).toBe(true);
  });

  it("the alarm topic accepts CloudWatch alarms of its own account and region, and no test message from anyone else", () => {
    const alarm = `arn:aws:cloudwatch:${config.region}:${config.aws.accountId}:alarm:${config.environment}-endpoint-packets-dropped`;
    expect(access.canPublish({ service: "cloudwatch.amazonaws.com" }, { "aws:SourceArn": alarm, "aws:SourceAccount": config.aws.accountId })).toBe(true);
    expect(access.canPublish({ service: "cloudwatch.amazonaws.com" }, { "aws:SourceArn": alarm.replace(config.aws.accountId, "999988887777"), "aws:SourceAccount": "999988887777" })).toBe(false);
    for (const [who, caller] of Object.entries(outsiders)) expect(access.canPublish(caller), who).toBe(false);
  });

  it("only the named roles change, re-subscribe or delete the alarm topic", () => {
    for (const action of ["sns:SetTopicAttributes", "sns:Subscribe", "sns:DeleteTopic"]) {
      for (const [who, caller] of Object.entries(administrators)) expect(access.canChangeTopic(caller, action), `${who} ${action}`).toBe(true);
      for (const [who, caller] of Object.entries(outsiders)) expect(access.canChangeTopic(caller, action), `${who} ${action}`).toBe(false);
    }
  });
});

describe("without ci.breakGlassRoleArn", () => {
  const [first] = environments;
  const raw = JSON.parse(JSON.stringify(first.config)) as Record<string, any>;
  const formerBreakGlass = String(first.config.ci.breakGlassRoleArn);
  const text = JSON.parse(fs.readFileSync(first.file, "utf8")) as Record<string, any>;
  delete text.ci.breakGlassRoleArn;
  const { config, issues } = resolveEnvironmentText(JSON.stringify(text), raw.environment);
  if (!config) throw new Error(JSON.stringify(issues));
  const access = new StackAccess(synthesizeEnvironment({ file: first.file, config }).json, { region: config.region, accountId: config.aws.accountId });

  it("the deploy role alone administers: the former break-glass role gets nothing, even with AdministratorAccess", () => {
    for (const key of access.keys.keys()) {
      expect(access.canAdministerKey(role(config.ci.deployRoleArn), key)).toBe(true);
      expect(access.cannotAdministerKeyAtAll(role(formerBreakGlass), key)).toBe(true);
    }
    for (const secret of access.secrets.keys()) expect(access.onSecret(role(formerBreakGlass), secret, "secretsmanager:DeleteSecret")).toBe(false);
    expect(access.canPublish(role(formerBreakGlass))).toBe(false);
  });
});
