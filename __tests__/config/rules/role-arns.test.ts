import { roleArnsBelongToTheAccount } from "../../../src/config/rules/role-arns-belong-to-the-account";

const ACCOUNT = "111122223333";
const role = (name: string, account = ACCOUNT, partition = "aws") => `arn:${partition}:iam::${account}:role/${name}`;
const VALID = {
  aws: { accountId: ACCOUNT },
  database: { appRoleArn: role("audio-pipeline-prod-app"), seederRoleArn: role("audio-pipeline-prod-seeder") },
  ci: { planRoleArn: role("ci/audio-pipeline-prod-plan"), deployRoleArn: role("audio-pipeline-prod-deploy") },
};

function issues(input: unknown) {
  const parsed = roleArnsBelongToTheAccount.reads.safeParse(input);
  if (!parsed.success) throw new Error("the rule could not read its input");
  return roleArnsBelongToTheAccount.check(parsed.data).map((issue) => ({ field: issue.path.join("."), value: issue.value, message: issue.message }));
}
const withPatch = (patch: { database?: object; ci?: object }) => ({
  ...VALID,
  database: { ...VALID.database, ...patch.database },
  ci: { ...VALID.ci, ...patch.ci },
});

describe("config rule role-arns-belong-to-the-account", () => {
  it("passes four roles of the environment's account, with or without a path", () => {
    expect(issues(VALID)).toEqual([]);
  });

  it("refuses a database role with a path in aws-iam mode (MONGODB-AWS matches the path-less role ARN), not in password mode", () => {
    const arn = role("service/audio-pipeline-prod-seeder");
    expect(issues(withPatch({ database: { seederRoleArn: arn } }))).toEqual([
      { field: "database.seederRoleArn", value: arn, message: expect.stringMatching(/^has a path; an aws-iam database user is matched by the role ARN MongoDB derives from the STS session/) },
    ]);
    expect(issues(withPatch({ database: { seederRoleArn: arn, authentication: "password" } }))).toEqual([]);
  });

  it("refuses a role of another account, naming the field, the value and the allowed form", () => {
    const arn = role("app", "444455556666");
    expect(issues(withPatch({ database: { appRoleArn: arn } }))).toEqual([
      {
        field: "database.appRoleArn",
        value: arn,
        message: "is a role of account 444455556666, but aws.accountId is 111122223333; allowed: arn:aws:iam::111122223333:role/<name>, a role of this environment's account",
      },
    ]);
  });

  it("compares with the placeholder account when aws.accountId is not set", () => {
    const { aws: _omitted, ...withoutAccount } = VALID;
    expect(issues(withoutAccount).map((issue) => issue.message)).toEqual(
      Array(4).fill(expect.stringMatching(/^is a role of account 111122223333, but aws\.accountId is not set \(placeholder 000000000000\)/)),
    );
  });

  it.each(["aws-cn", "aws-us-gov"])("refuses partition %s: no region Atlas runs in here is in it", (partition) => {
    const arn = role("deploy", ACCOUNT, partition);
    expect(issues(withPatch({ ci: { deployRoleArn: arn } }))).toEqual([
      { field: "ci.deployRoleArn", value: arn, message: expect.stringMatching(new RegExp(`^is in partition "${partition}", but every region Atlas runs in here is in "aws"`)) },
    ]);
  });

  it("reports every bad field at once", () => {
    const found = issues(withPatch({ database: { seederRoleArn: role("s", "444455556666") }, ci: { planRoleArn: role("p", "555566667777") } }));
    expect(found.map((issue) => issue.field)).toEqual(["database.seederRoleArn", "ci.planRoleArn"]);
  });

  it("leaves malformed ARNs (a user, a session, not an ARN) to the schema, which reports them once", () => {
    expect(issues(withPatch({ database: { appRoleArn: "arn:aws:iam::444455556666:user/alice" }, ci: { planRoleArn: "not-an-arn" } }))).toEqual([]);
  });
});

describe("ci.breakGlassRoleArn and the roles of a rotation (ci.next*, database.next*)", () => {
  it.each(["ci.breakGlassRoleArn", "ci.nextPlanRoleArn", "ci.nextDeployRoleArn", "database.nextAppRoleArn", "database.nextSeederRoleArn"])(
    "%s must be a role of the environment's account and partition, else a named error",
    (field) => {
      const [section, name] = field.split(".") as ["ci" | "database", string];
      const otherAccount = role("administrator", "444455556666");
      expect(issues(withPatch({ [section]: { [name]: otherAccount } }))).toEqual([
        { field, value: otherAccount, message: expect.stringMatching(/^is a role of account 444455556666, but aws\.accountId is 111122223333; allowed: arn:aws:iam::111122223333:role\/<name>/) },
      ]);
      const otherPartition = role("administrator", ACCOUNT, "aws-us-gov");
      expect(issues(withPatch({ [section]: { [name]: otherPartition } }))).toEqual([
        { field, value: otherPartition, message: expect.stringMatching(/^is in partition "aws-us-gov", but every region Atlas runs in here is in "aws"/) },
      ]);
      expect(issues(withPatch({ [section]: { [name]: role("administrator") } }))).toEqual([]);
    },
  );
});
