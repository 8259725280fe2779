import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretPolicy } from "@cdktf/provider-aws/lib/secretsmanager-secret-policy";
import { Fn } from "cdktf";
import type { StableAddressStack } from "../../src/stacks/stable-addresses";
import { failedRuleIds, policyAnnotations, policyTestStack } from "../support/policy";

const ROOT = "arn:aws:iam::111122223333:root";
const APP = "arn:aws:iam::111122223333:role/app";
const VIA_SECRETS_MANAGER = { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } };

type Statement = Record<string, unknown>;
const document = (...statements: Statement[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const DEPLOY = "arn:aws:iam::111122223333:role/deploy";
const BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass";
const NAMED_ADMINISTRATORS = { ArnEquals: { "aws:PrincipalArn": [DEPLOY, BREAK_GLASS] } };
const rootAdministers: Statement = {
  Effect: "Allow",
  Principal: { AWS: ROOT },
  Action: ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
  Resource: "*",
  Condition: NAMED_ADMINISTRATORS,
};
const appDecryptsViaSecretsManager: Statement = { Effect: "Allow", Principal: { AWS: APP }, Action: "kms:Decrypt", Resource: "*", Condition: VIA_SECRETS_MANAGER };

/** A production key whose policy is `policy` (inline), or attached with aws_kms_key_policy. */
const key = (policy: string | undefined, attached = false) => (stack: StableAddressStack) => {
  const created = new KmsKey(stack, "key", { enableKeyRotation: true, policy: attached ? undefined : policy, lifecycle: { preventDestroy: true } });
  if (attached && policy) new KmsKeyPolicy(stack, "key_policy", { keyId: created.keyId, policy });
};

const GOOD_KEY_POLICY = document(rootAdministers, appDecryptsViaSecretsManager);
const denyStatement = (action: string | string[], allowed: string[]): Statement => ({ Effect: "Deny", Principal: "*", Action: action, Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": allowed } } });
const SECRET_ADMINISTRATION = ["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"];
const onlyAdministratorsAdminister = denyStatement(SECRET_ADMINISTRATION, [DEPLOY, BREAK_GLASS]);
/** Denies `action` to all but the readers, and administration to all but the named administrators. */
const denyAllBut = (action: string, readers: string[] = [APP]) => document(denyStatement(action, readers), onlyAdministratorsAdminister);

/** A production secret encrypted with a compliant key, with the given resource policy (none when undefined). */
const secret = (policy: string | undefined) => (stack: StableAddressStack) => {
  const created = new KmsKey(stack, "key", { enableKeyRotation: true, policy: GOOD_KEY_POLICY, lifecycle: { preventDestroy: true } });
  const value = new SecretsmanagerSecret(stack, "secret", { name: "s", kmsKeyId: created.arn, recoveryWindowInDays: 7, lifecycle: { preventDestroy: true } });
  if (policy !== undefined) new SecretsmanagerSecretPolicy(stack, "secret_policy", { secretArn: value.arn, policy });
};

const PRODUCTION = { production: true };

describe("policy rule kms-key-policy-least-privilege (production)", () => {
  it.each([
    ["root administers, a named role decrypts through Secrets Manager", key(GOOD_KEY_POLICY)],
    ["the same policy attached with aws_kms_key_policy", key(GOOD_KEY_POLICY, true)],
    ["root may decrypt, but only under a condition", key(document({ ...rootAdministers, Action: "kms:Decrypt", Condition: VIA_SECRETS_MANAGER }))],
    ["root may only describe the key, for anyone (no administration)", key(document({ ...rootAdministers, Action: "kms:DescribeKey", Condition: undefined }))],
    ["a service principal may use the key (CloudWatch on an alarm topic)", key(document(rootAdministers, { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*" }))],
  ])("passes: %s", (_name, build) => {
    expect(failedRuleIds(policyTestStack(build, PRODUCTION))).toEqual([]);
  });

  it.each([
    ["no policy at all (the default policy: root kms:*)", key(undefined), /default key policy/],
    ["root gets kms:*", key(document({ ...rootAdministers, Action: "kms:*" })), /grants kms:\*/],
    ["a named role gets kms:*", key(document(rootAdministers, { ...appDecryptsViaSecretsManager, Action: ["kms:*"] })), /grants kms:\*/],
    ["root may decrypt without a condition", key(document({ ...rootAdministers, Condition: undefined, Action: [...(rootAdministers.Action as string[]), "kms:Decrypt"] })), /kms:Decrypt/],
    ["everyone may re-encrypt without a condition (wildcard action)", key(document(rootAdministers, { Effect: "Allow", Principal: "*", Action: "kms:ReEncrypt*", Resource: "*" })), /kms:ReEncryptFrom/],
    ["root given as a bare account id may create grants", key(document(rootAdministers, { Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "kms:CreateGrant", Resource: "*" })), /kms:CreateGrant/],
    ["the attached policy is bad although the inline one is good", (stack: StableAddressStack) => {
      const created = new KmsKey(stack, "key", { enableKeyRotation: true, policy: GOOD_KEY_POLICY, lifecycle: { preventDestroy: true } });
      new KmsKeyPolicy(stack, "key_policy", { keyId: created.keyId, policy: document({ ...rootAdministers, Action: "kms:*" }) });
    }, /grants kms:\*/],
    ["the policy is an expression the rule cannot read", key(Fn.jsonencode({ Statement: [rootAdministers] })), /cannot check/],
    ["root administers for every IAM principal of the account (no aws:PrincipalArn)", key(document({ ...rootAdministers, Condition: undefined })), /lets every IAM principal of the account administer the key \(kms:PutKeyPolicy, kms:ScheduleKeyDeletion\)/],
    ["root administers for a wildcard aws:PrincipalArn", key(document({ ...rootAdministers, Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/*" } } })), /administer the key/],
    ["root administers under a condition that names no one (kms:ViaService)", key(document({ ...rootAdministers, Condition: VIA_SECRETS_MANAGER })), /administer the key/],
    ["everyone may create grants under a condition that names no one", key(document(rootAdministers, { Effect: "Allow", Principal: "*", Action: "kms:CreateGrant", Resource: "*", Condition: VIA_SECRETS_MANAGER })), /administer the key \(kms:CreateGrant\)/],
  ])("fails: %s", (_name, build, message) => {
    const stack = policyTestStack(build, PRODUCTION);
    expect(failedRuleIds(stack)).toEqual(["kms-key-policy-least-privilege"]);
    expect(policyAnnotations(stack).map((annotation) => annotation.message).join("\n")).toMatch(message);
  });

  it("does not apply outside production", () => {
    expect(failedRuleIds(policyTestStack(key(undefined), { production: false }))).toEqual([]);
  });
});

describe("policy rule secret-resource-policy (production)", () => {
  it.each([
    ["denies GetSecretValue to all but the reader", secret(denyAllBut("secretsmanager:GetSecretValue"))],
    ["denies it through a wildcard action", secret(denyAllBut("secretsmanager:Get*"))],
  ])("passes: %s", (_name, build) => {
    expect(failedRuleIds(policyTestStack(build, PRODUCTION))).toEqual([]);
  });

  it.each([
    ["no resource policy", secret(undefined), /has no resource policy/],
    ["a policy that denies only something else", secret(denyAllBut("secretsmanager:DescribeSecret")), /denies GetSecretValue to no one/],
    ["a policy that denies reading but lets anyone delete or re-policy", secret(document(denyStatement("secretsmanager:GetSecretValue", [APP]))), /lets any IAM principal of the account secretsmanager:DeleteSecret, secretsmanager:PutResourcePolicy, secretsmanager:DeleteResourcePolicy/],
    ["a policy whose administration deny excepts a wildcard", secret(document(denyStatement("secretsmanager:GetSecretValue", [APP]), denyStatement(SECRET_ADMINISTRATION, ["arn:aws:iam::111122223333:role/*"]))), /lets any IAM principal/],
    ["a policy that keeps DeleteResourcePolicy open", secret(document(denyStatement("secretsmanager:GetSecretValue", [APP]), denyStatement(SECRET_ADMINISTRATION.slice(0, 2), [DEPLOY]))), /account secretsmanager:DeleteResourcePolicy;/],
    ["a policy that allows instead of denying", secret(document({ Effect: "Allow", Principal: { AWS: APP }, Action: "secretsmanager:GetSecretValue", Resource: "*" })), /denies GetSecretValue to no one/],
    ["a policy the rule cannot read", secret(Fn.jsonencode({ Statement: [] })), /cannot check/],
  ])("fails: %s", (_name, build, message) => {
    const stack = policyTestStack(build, PRODUCTION);
    expect(failedRuleIds(stack)).toEqual(["secret-resource-policy"]);
    expect(policyAnnotations(stack).map((annotation) => annotation.message).join("\n")).toMatch(message);
  });

  it("a policy on another secret does not count", () => {
    const stack = policyTestStack((scope) => {
      secret(undefined)(scope);
      const other = new SecretsmanagerSecret(scope, "other", { name: "o", kmsKeyId: "${aws_kms_key.key.arn}", recoveryWindowInDays: 7, lifecycle: { preventDestroy: true } });
      new SecretsmanagerSecretPolicy(scope, "other_policy", { secretArn: other.arn, policy: denyAllBut("secretsmanager:GetSecretValue") });
    }, PRODUCTION);
    expect(policyAnnotations(stack).filter((annotation) => annotation.level === "error").map((annotation) => annotation.message)).toEqual([
      expect.stringMatching(/^\[secret-resource-policy\] aws_secretsmanager_secret\.secret has no resource policy/),
    ]);
  });

  it("does not apply outside production", () => {
    expect(failedRuleIds(policyTestStack(secret(undefined), { production: false }))).toEqual([]);
  });
});
