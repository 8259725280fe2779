import { roleArnsBelongToTheAccount } from "../../../src/config/rules/role-arns-belong-to-the-account";

const ACCOUNT = "111122223333";
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`;
const VALID = {
  aws: { accountId: ACCOUNT },
  database: { appRoleArn: role("audio-pipeline-prod-app"), seederRoleArn: role("service-role/audio-pipeline-prod-seeder") },
  ci: { planRoleArn: role("audio-pipeline-prod-plan"), deployRoleArn: role("audio-pipeline-prod-deploy") },
};

function issues(patch: { database?: Record<string, string>; ci?: Record<string, string>; aws?: Record<string, string> }) {
  const input = {
    aws: { ...VALID.aws, ...patch.aws },
    database: { ...VALID.database, ...patch.database },
    ci: { ...VALID.ci, ...patch.ci },
  };
  const parsed = roleArnsBelongToTheAccount.reads.safeParse(input);
  if (!parsed.success) throw new Error("the rule could not read its input");
  return roleArnsBelongToTheAccount.check(parsed.data).map((issue) => ({ field: issue.path.join("."), value: issue.value, message: issue.message }));
}

describe("config rule role-arns-belong-to-the-account", () => {
  it("passes four distinct roles of the environment's account, with or without a path", () => {
    expect(issues({})).toEqual([]);
  });

  it.each([
    ["not an ARN", "audio-pipeline-app", /is not an ARN/],
    ["another partition", "arn:aws-cn:iam::111122223333:role/app", /partition "aws-cn".*"aws"/],
    ["an IAM user", "arn:aws:iam::111122223333:user/alice", /is an IAM user.*not a role/],
    ["an assumed-role session", "arn:aws:sts::111122223333:assumed-role/app/session-1", /session of an assumed role, not the role/],
    ["another service", "arn:aws:lambda:us-east-1:111122223333:function:app", /the lambda service, not an IAM role/],
    ["an account id that is not 12 digits", "arn:aws:iam::1111:role/app", /account "1111", which is not 12 digits/],
    ["a role name with a space", "arn:aws:iam::111122223333:role/my app", /does not name a valid role/],
    ["a role name over 64 characters", `arn:aws:iam::111122223333:role/${"a".repeat(65)}`, /does not name a valid role/],
    ["another account", role("app", "444455556666"), /is in account 444455556666, not in this environment's account aws\.accountId = 111122223333/],
  ])("refuses %s, naming the field, the value and what is allowed", (_name, arn, why) => {
    const found = issues({ database: { appRoleArn: arn } });
    expect(found).toEqual([{ field: "database.appRoleArn", value: arn, message: expect.stringMatching(why) }]);
    expect(found[0].message).toMatch(/allowed: an IAM role ARN of the environment's account, arn:aws:iam::<aws\.accountId>:role\//);
  });

  it("reports every bad field at once", () => {
    const found = issues({ database: { seederRoleArn: "arn:aws:iam::111122223333:user/bob" }, ci: { deployRoleArn: role("deploy", "444455556666") } });
    expect(found.map((issue) => issue.field)).toEqual(["database.seederRoleArn", "ci.deployRoleArn"]);
  });

  it("refuses one role in two places: the application would get the seeder's dbAdmin, or a CI role would be a database user", () => {
    expect(issues({ database: { seederRoleArn: VALID.database.appRoleArn } })).toEqual([
      { field: "database.seederRoleArn", value: VALID.database.appRoleArn, message: expect.stringMatching(/is the same role as database\.appRoleArn; allowed: a role of its own/) },
    ]);
    expect(issues({ ci: { deployRoleArn: VALID.database.seederRoleArn } }).map((issue) => issue.field)).toEqual(["ci.deployRoleArn"]);
  });

  it("leaves committed placeholder roles to the placeholder check (synth flags them, deploy refuses them)", () => {
    expect(issues({ database: { appRoleArn: "arn:aws:iam::000000000000:role/placeholder-audio-pipeline-dev-app" } })).toEqual([]);
  });
});
