/*
 * The evaluator the policy-property tests rely on (support/iam-evaluation.ts), pinned to AWS's
 * documented same-account rules, so that a wrong "allowed" there cannot make those tests pass.
 */
import { IDENTITY, isAllowed, type Caller, type PolicyDocument } from "../support/iam-evaluation";

const ACCOUNT = "111122223333";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const ALICE = `arn:aws:iam::${ACCOUNT}:role/alice`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:s-AbC123`;
const alice = (identity = IDENTITY.administrator as readonly object[], recreated = false): Caller => ({ role: ALICE, identity: identity as never, recreated });
const policy = (...Statement: object[]) => ({ Statement }) as unknown as PolicyDocument;
const ask = (caller: Caller, action: string, document: PolicyDocument | undefined, kind: "kms-key" | "other", context = {}) =>
  isAllowed({ caller, action, resource: kind === "kms-key" ? KEY : SECRET, context }, document, kind);

describe("iam-evaluation: same-account authorization", () => {
  it("a key policy must allow: AdministratorAccess alone does not reach a key whose policy names nobody", () => {
    expect(ask(alice(), "kms:Decrypt", policy(), "kms-key")).toBe(false);
    expect(ask(alice(), "kms:Decrypt", undefined, "kms-key")).toBe(false);
  });

  it("a key policy naming the role allows without any IAM policy; naming the root delegates to IAM", () => {
    const named = policy({ Effect: "Allow", Principal: { AWS: ALICE }, Action: "kms:Decrypt", Resource: "*" });
    expect(ask(alice(IDENTITY.none), "kms:Decrypt", named, "kms-key")).toBe(true);
    const root = policy({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:Decrypt", Resource: "*" });
    expect(ask(alice(IDENTITY.none), "kms:Decrypt", root, "kms-key")).toBe(false);
    expect(ask(alice(), "kms:Decrypt", root, "kms-key")).toBe(true);
  });

  it("a recreated role no longer matches a policy that named it (unique id), but still matches an aws:PrincipalArn condition", () => {
    const named = policy({ Effect: "Allow", Principal: { AWS: ALICE }, Action: "kms:Decrypt", Resource: "*" });
    expect(ask(alice(IDENTITY.administrator, true), "kms:Decrypt", named, "kms-key")).toBe(false);
    const byArn = policy({ Effect: "Allow", Principal: { AWS: ROOT }, Action: "kms:Decrypt", Resource: "*", Condition: { ArnEquals: { "aws:PrincipalArn": [ALICE] } } });
    expect(ask(alice(IDENTITY.administrator, true), "kms:Decrypt", byArn, "kms-key")).toBe(true);
    expect(ask({ role: `arn:aws:iam::${ACCOUNT}:role/bob`, identity: IDENTITY.administrator }, "kms:Decrypt", byArn, "kms-key")).toBe(false);
  });

  it("an explicit deny in a resource policy beats AdministratorAccess; a negated condition on a missing key holds", () => {
    const deny = policy({ Effect: "Deny", Principal: "*", Action: "secretsmanager:DeleteSecret", Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": [ROOT] } } });
    expect(ask(alice(), "secretsmanager:DeleteSecret", deny, "other")).toBe(false);
    expect(ask(alice(), "secretsmanager:GetSecretValue", deny, "other")).toBe(true);
    // A service call carries no aws:PrincipalArn: ArnNotEquals holds, so the deny applies even where an allow names the service.
    const allowService = { Effect: "Allow", Principal: { Service: "example.amazonaws.com" }, Action: "secretsmanager:DeleteSecret", Resource: "*" };
    expect(ask({ service: "example.amazonaws.com" }, "secretsmanager:DeleteSecret", policy(allowService), "other")).toBe(true);
    expect(ask({ service: "example.amazonaws.com" }, "secretsmanager:DeleteSecret", policy(allowService, ...deny.Statement), "other")).toBe(false);
  });

  it("outside KMS, the identity policy alone allows in the same account; PowerUserAccess has no iam:*", () => {
    expect(ask(alice(IDENTITY.powerUser), "secretsmanager:DeleteSecret", undefined, "other")).toBe(true);
    expect(ask(alice(IDENTITY.powerUser), "iam:PassRole", undefined, "other")).toBe(false);
    expect(ask(alice(IDENTITY.none), "secretsmanager:DeleteSecret", undefined, "other")).toBe(false);
  });

  it("conditions: every operator and key must hold, values of one key are alternatives, a missing key fails a positive operator", () => {
    const conditional = policy({
      Effect: "Allow",
      Principal: { AWS: ALICE },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" }, StringLike: { "kms:EncryptionContext:SecretARN": ["arn:x-??????", SECRET.replace("AbC123", "??????")] } },
    });
    const via = { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" };
    expect(ask(alice(IDENTITY.none), "kms:Decrypt", conditional, "kms-key", { ...via, "kms:EncryptionContext:SecretARN": SECRET })).toBe(true);
    expect(ask(alice(IDENTITY.none), "kms:Decrypt", conditional, "kms-key", { ...via, "kms:EncryptionContext:SecretARN": `${SECRET}x` })).toBe(false);
    expect(ask(alice(IDENTITY.none), "kms:Decrypt", conditional, "kms-key", via)).toBe(false);
    expect(ask(alice(IDENTITY.none), "kms:Decrypt", conditional, "kms-key", { "kms:ViaService": "sns.us-east-1.amazonaws.com", "kms:EncryptionContext:SecretARN": SECRET })).toBe(false);
  });

  it("refuses to guess an operator it does not model", () => {
    const unknown = policy({ Effect: "Allow", Principal: { AWS: ALICE }, Action: "kms:Decrypt", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } });
    expect(() => ask(alice(), "kms:Decrypt", unknown, "kms-key")).toThrow(/IpAddress is not modelled/);
  });
});
