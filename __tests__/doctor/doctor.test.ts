import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from "@aws-sdk/client-iam";
import { GetBucketEncryptionCommand, GetBucketVersioningCommand, GetPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mockClient } from "aws-sdk-client-mock";
import { resolveEnvironments } from "../../src/environment/resolve";
import { loadGithubSettings, type GithubEnvironmentSpec } from "../../src/github/load-github-settings";
import { REQUIRED_CHECK, VPC_WORKFLOWS, selectedWorkflow } from "../../src/github/repository-rules";
import { expectedCiRoles, runDoctor } from "../../src/doctor/doctor";
import { doctorAtlasClient } from "../../src/doctor/atlas-checks";
import { committedConfigJson, writeConfigFile } from "../support/config-files";
import { startStandIn, type Route, type StandIn } from "../support/http-stand-in";
import { temporaryDirectory } from "../support/temporary-directory";

type Json = Record<string, any>;

/*
 * The doctor against loopback stand-ins for GitHub and the Atlas Admin API (shapes from GitHub's
 * REST description and MongoDB's OpenAPI description) and aws-sdk-client-mock for IAM and S3:
 * a healthy set-up passes, each broken setting is one FAIL line naming it, and nothing but reads
 * is ever sent.
 */

const RUNNER_LABEL = "audio-pipeline-vpc";
const ORG_ID = "5f0c0ffee0c0ffee0c0ffee0";
const PROJECT_ID = "6a1b2c3d4e5f60718293a4b5";
const PUBLIC_KEY = "doctorpub";
const PRIVATE_KEY = "00000000-1111-2222-3333-444444444444";

const workspace = temporaryDirectory("doctor");
const configDir = path.join(workspace, "config");
const prodJson = committedConfigJson("prod");
prodJson.ci.runnerLabel = RUNNER_LABEL;
// A seed role that also trusts a bastion, and a plan role in rotation: the bootstrap stack generates both, so both are healthy.
const BASTION = "arn:aws:iam::000000000000:role/audio-pipeline-prod-bastion";
prodJson.database.seederTrustedRoleArns = [BASTION];
prodJson.ci.nextPlanRoleArn = "arn:aws:iam::000000000000:role/placeholder-audio-pipeline-prod-plan-2";
writeConfigFile(configDir, "prod", prodJson);
writeConfigFile(configDir, "dev", committedConfigJson("dev"));
fs.copyFileSync("config/github.json", path.join(configDir, "github.json"));
const environments = resolveEnvironments(configDir);
const github = loadGithubSettings(configDir, environments);
if (!github) throw new Error("config/github.json is needed for these tests");
const repository = github.repository;
const [owner] = repository.split("/");
const prod = environments.find(({ config }) => config.environment === "prod");
if (!prod) throw new Error("config/prod.json is needed for these tests");
const specs = github.environments.filter((spec) => spec.environment === "prod");

/** Healthy GitHub answers for the prod environments; `change` breaks one. */
function githubRoutes(change: (routes: Record<string, Route>) => void = () => {}): Record<string, Route> {
  const routes: Record<string, Route> = { [`GET /repos/${repository}`]: { body: { id: 4242, full_name: repository, private: true } } };
  for (const spec of specs) routes[`GET /repos/${repository}/environments/${spec.name}`] = { body: environmentBody(spec) };
  for (const spec of specs) {
    routes[`GET /repos/${repository}/environments/${spec.name}/deployment-branch-policies`] = { body: { total_count: 1, branch_policies: [{ id: 361471, node_id: "MDE2OkdhdGVCcmFuY2hQb2xpY3kzNjE0NzE=", name: "main", type: "branch" }] } };
    routes[`GET /repos/${repository}/environments/${spec.name}/secrets`] = {
      body: { total_count: spec.purpose.secrets.length, secrets: spec.purpose.secrets.map((name) => ({ name, created_at: "2026-01-10T14:59:22Z", updated_at: "2026-01-11T11:59:22Z" })) },
    };
  }
  routes[`GET /repos/${repository}/rules/branches/main`] = {
    body: [
      { type: "deletion", ruleset_source_type: "Repository", ruleset_source: repository, ruleset_id: 42 },
      { type: "non_fast_forward", ruleset_source_type: "Repository", ruleset_source: repository, ruleset_id: 42 },
      { type: "pull_request", ruleset_source_type: "Repository", ruleset_source: repository, ruleset_id: 42, parameters: { required_approving_review_count: 1, dismiss_stale_reviews_on_push: true, require_code_owner_review: false, require_last_push_approval: true, required_review_thread_resolution: false } },
      { type: "required_status_checks", ruleset_source_type: "Repository", ruleset_source: repository, ruleset_id: 42, parameters: { strict_required_status_checks_policy: true, required_status_checks: [{ context: REQUIRED_CHECK, integration_id: 15368 }] } },
    ],
  };
  routes[`GET /orgs/${owner}/actions/runner-groups`] = {
    body: {
      total_count: 1,
      runner_groups: [
        { id: 2, name: github?.settings.runnerGroup?.name, visibility: "selected", default: false, inherited: false, allows_public_repositories: false, restricted_to_workflows: true, selected_workflows: VPC_WORKFLOWS.map((file) => selectedWorkflow(repository, file)), workflow_restrictions_read_only: false, runners_url: "https://api.github.com/orgs/o/actions/runner-groups/2/runners", selected_repositories_url: "https://api.github.com/orgs/o/actions/runner-groups/2/repositories" },
      ],
    },
  };
  routes[`GET /orgs/${owner}/actions/runner-groups/2/repositories`] = { body: { total_count: 1, repositories: [{ id: 4242, full_name: repository, name: repository.split("/")[1] }] } };
  routes[`GET /orgs/${owner}/actions/runner-groups/2/runners`] = {
    body: { total_count: 1, runners: [{ id: 23, name: RUNNER_NAME, os: "linux", status: "online", busy: false, labels: [{ id: 5, name: "self-hosted", type: "read-only" }, { id: 9, name: RUNNER_LABEL, type: "custom" }] }] },
  };
  change(routes);
  return routes;
}

function environmentBody(spec: GithubEnvironmentSpec): Json {
  const rules: Json[] = [];
  if (spec.reviewers.length > 0) {
    rules.push({
      id: 3736,
      node_id: "MDQ6R2F0ZTM3MzY=",
      type: "required_reviewers",
      prevent_self_review: true,
      reviewers: spec.reviewers.map((reviewer) => (reviewer.user ? { type: "User", reviewer: { login: reviewer.user, id: reviewer.id, type: "User" } } : { type: "Team", reviewer: { id: reviewer.id, slug: reviewer.team, name: reviewer.team } })),
    });
  }
  if (spec.branches === "main") rules.push({ id: 3755, node_id: "MDQ6R2F0ZTM3NTU=", type: "branch_policy" });
  return {
    id: 161088068,
    node_id: "MDExOkVudmlyb25tZW50MTYxMDg4MDY4",
    name: spec.name,
    url: `https://api.github.com/repos/${repository}/environments/${spec.name}`,
    html_url: `https://github.com/${repository}/deployments/activity_log?environments_filter=${spec.name}`,
    created_at: "2020-11-23T22:00:40Z",
    updated_at: "2020-11-23T22:00:40Z",
    can_admins_bypass: spec.canAdminsBypass,
    protection_rules: rules,
    deployment_branch_policy: spec.branches === "main" ? { protected_branches: false, custom_branch_policies: true } : null,
  };
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const NONCE = "b4a6e2f0c9d1";

/** Answers an Atlas route only with a valid digest (RFC 7616, MD5, qop=auth) for the known key; 401 with a challenge otherwise. */
function digest(answer: Route): Route {
  return (request) => {
    const header = String(request.headers.authorization ?? "");
    const fields = Object.fromEntries([...header.matchAll(/(\w+)="?([^",]*)"?/g)].map((match) => [match[1], match[2]]));
    const expected = md5(`${md5(`${PUBLIC_KEY}:MMS Public API:${PRIVATE_KEY}`)}:${NONCE}:${fields.nc}:${fields.cnonce}:auth:${md5(`GET:${request.path}`)}`);
    if (fields.username !== PUBLIC_KEY || fields.response !== expected || fields.uri !== request.path) {
      return { status: 401, headers: { "www-authenticate": `Digest realm="MMS Public API", domain="", nonce="${NONCE}", algorithm=MD5, qop="auth", stale=false` }, body: { detail: "You are not authorized for this resource.", error: 401, errorCode: "NOT_ORG_GROUP_CREATOR", reason: "Unauthorized" } };
    }
    return typeof answer === "function" ? answer(request) : answer;
  };
}

const apiKey = (id: string, desc: string, roles: Json[]) => ({ id, desc, publicKey: `${desc.slice(0, 4)}pub`, privateKey: "********-****-****-c4e58b8b0a0c", roles, links: [] });
const PLAN_KEY = "6a1b2c3d4e5f607182930001";
const DEPLOY_KEY = "6a1b2c3d4e5f607182930002";

function atlasRoutes(change: (keys: Json[], routes: Record<string, Route>) => void = () => {}): Record<string, Route> {
  const keys = [
    apiKey(PLAN_KEY, "audio-pipeline-prod-plan", [{ orgId: ORG_ID, roleName: "ORG_MEMBER" }, { groupId: PROJECT_ID, roleName: "GROUP_OWNER" }]),
    apiKey(DEPLOY_KEY, "audio-pipeline-prod-deploy", [{ orgId: ORG_ID, roleName: "ORG_MEMBER" }, { groupId: PROJECT_ID, roleName: "GROUP_OWNER" }]),
  ];
  const routes: Record<string, Route> = {
    [`GET /api/atlas/v2/groups/byName/${prod?.config.atlas.projectName}`]: { body: { id: PROJECT_ID, name: prod?.config.atlas.projectName, orgId: ORG_ID, clusterCount: 1, created: "2026-01-01T00:00:00Z", links: [] } },
    [`GET /api/atlas/v2/orgs/${ORG_ID}/apiKeys`]: () => ({ body: { links: [], results: keys, totalCount: keys.length } }),
    [`GET /api/atlas/v2/orgs/${ORG_ID}/apiKeys/${PLAN_KEY}/accessList`]: { body: { links: [], results: [{ cidrBlock: "203.0.113.0/24", count: 0, created: "2026-01-01T00:00:00Z", links: [] }], totalCount: 1 } },
    [`GET /api/atlas/v2/orgs/${ORG_ID}/apiKeys/${DEPLOY_KEY}/accessList`]: { body: { links: [], results: [{ ipAddress: "203.0.113.7", cidrBlock: "203.0.113.7/32", count: 0, links: [] }], totalCount: 1 } },
  };
  change(keys, routes);
  return Object.fromEntries(Object.entries(routes).map(([key, route]) => [key, digest(route)]));
}

const iamMock = mockClient(IAMClient);
const ec2Mock = mockClient(EC2Client);
const RUNNER_NAME = "ip-10-0-1-23";

function testClients() {
  const credentials = { accessKeyId: "AKIADOCTOR", secretAccessKey: "doctor" };
  return { iam: new IAMClient({ region: "us-east-1", credentials }), s3: new S3Client({ region: "us-east-1", credentials }), ec2: new EC2Client({ region: "us-east-1", credentials }) };
}
const s3Mock = mockClient(S3Client);
/** The prod CI roles as the bootstrap stack generates them (plan, next plan, deploy, seed), with their documents. */
const generated = expectedCiRoles(prod, environments);
const roles = generated.map((role) => ({ ...role, roleArn: role.arn }));
const roleOf = (purpose: string, next = false) => roles.find((role) => role.purpose === purpose && role.next === next)!;
const policyArn = (roleArn: string, index: number) => `arn:aws:iam::000000000000:policy/${roleArn.split("/").pop()}-${index + 1}`;
const roleBody = (role: (typeof roles)[number], trust: unknown, maxSession = role.maxSessionSeconds) => {
  const name = role.roleArn.split("/").pop();
  return { Role: { Path: "/", RoleName: name, RoleId: "AROAEXAMPLEID", Arn: role.roleArn, CreateDate: new Date("2026-01-01"), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)), MaxSessionDuration: maxSession } };
};
/** A document as IAM may return it: statements reversed, one-element arrays as strings. */
const asIamReturnsIt = (document: any) => ({
  ...document,
  Statement: [...document.Statement].reverse().map((statement: Json) => Object.fromEntries(Object.entries(statement).map(([key, value]) => [key, Array.isArray(value) && value.length === 1 ? value[0] : value]))),
});

function healthyAws(change: () => void = () => {}): void {
  iamMock.reset();
  s3Mock.reset();
  ec2Mock.reset();
  // The runner's instance, found by the private address in its EC2 hostname, in one of the client security groups.
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: "i-0a1b2c3d4e5f60718", PrivateIpAddress: "10.0.1.23", VpcId: prodJson.network.vpcId, SecurityGroups: [{ GroupId: prodJson.network.clientSecurityGroups.worker, GroupName: "worker" }] }] }] });
  for (const role of roles) {
    const name = role.roleArn.split("/").pop();
    iamMock.on(GetRoleCommand, { RoleName: name }).resolves(roleBody(role, asIamReturnsIt(role.trust)));
    iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: name }).resolves({ AttachedPolicies: role.policies.map((_, index) => ({ PolicyName: `${name}-${index + 1}`, PolicyArn: policyArn(role.roleArn, index) })) });
    role.policies.forEach((document, index) => {
      iamMock.on(GetPolicyCommand, { PolicyArn: policyArn(role.roleArn, index) }).resolves({ Policy: { PolicyName: `${name}-${index + 1}`, Arn: policyArn(role.roleArn, index), DefaultVersionId: "v3" } });
      iamMock.on(GetPolicyVersionCommand, { PolicyArn: policyArn(role.roleArn, index), VersionId: "v3" }).resolves({ PolicyVersion: { VersionId: "v3", IsDefaultVersion: true, Document: encodeURIComponent(JSON.stringify(asIamReturnsIt(document))) } });
    });
  }
  iamMock.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  s3Mock.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
  s3Mock.on(GetBucketEncryptionCommand).resolves({ ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms" }, BucketKeyEnabled: true }] } });
  s3Mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } });
  change();
}

let githubStandIn: StandIn | undefined;
let atlasStandIn: StandIn | undefined;
afterEach(async () => {
  await githubStandIn?.close();
  await atlasStandIn?.close();
  githubStandIn = atlasStandIn = undefined;
});
afterAll(() => {
  iamMock.restore();
  s3Mock.restore();
  ec2Mock.restore();
  fs.rmSync(workspace, { recursive: true, force: true });
});

async function doctor(options: { github?: Record<string, Route>; atlas?: Record<string, Route>; aws?: () => void } = {}) {
  githubStandIn = await startStandIn(options.github ?? githubRoutes());
  atlasStandIn = await startStandIn(options.atlas ?? atlasRoutes());
  healthyAws(options.aws);
  const env = {
    GITHUB_API_URL: githubStandIn.url,
    GITHUB_TOKEN: "ghs_doctor",
    MONGODB_ATLAS_BASE_URL: atlasStandIn.url,
    MONGODB_ATLAS_PUBLIC_API_KEY: PUBLIC_KEY,
    MONGODB_ATLAS_PRIVATE_API_KEY: PRIVATE_KEY,
    MONGODB_ATLAS_ORG_ID: ORG_ID,
  };
  return runDoctor({ environment: "prod", configDir, env, aws: testClients() });
}

const failing = (lines: readonly string[]) => lines.filter((line) => line.startsWith("FAIL"));

describe("npm run doctor -- prod against a healthy set-up", () => {
  it("passes, one line per check, each naming what and why; only the two documented warnings remain", async () => {
    const result = await doctor();
    expect(failing(result.lines)).toEqual([]);
    expect(result.exitCode).toBe(0);
    for (const service of ["aws", "github", "atlas"]) expect(result.lines.some((line) => line.startsWith(`ok   ${service}`)), service).toBe(true);
    for (const spec of specs) expect(result.lines.some((line) => line.includes(spec.name)), spec.name).toBe(true);
    expect(result.lines.filter((line) => line.startsWith("WARN"))).toEqual([]);
    for (const role of roles) {
      const name = role.roleArn.split("/").pop();
      expect(result.lines, name).toContainEqual(expect.stringMatching(new RegExp(`^ok   aws    ${role.next ? "next " : ""}${role.purpose} role ${name}: trust policy: equals`)));
      expect(result.lines, name).toContainEqual(expect.stringMatching(new RegExp(`^ok   aws    ${role.next ? "next " : ""}${role.purpose} role ${name}: permission policies: ${role.policies.length} attached, equal`)));
    }
    // The seed role's generated trust names the bastion; the next plan role is checked beside the plan role.
    expect(JSON.stringify(roleOf("seed").trust)).toContain(BASTION);
    expect(roles.filter((role) => role.next).map((role) => role.purpose)).toEqual(["plan"]);
    expect(result.lines.every((line) => !line.includes("\n") && /^(ok  |WARN|FAIL) (aws   |github|atlas ) /.test(line))).toBe(true);
  });

  it("only reads: every HTTP request is a GET and every AWS command a Get or List", async () => {
    await doctor();
    const methods = [...(githubStandIn?.requests ?? []), ...(atlasStandIn?.requests ?? [])].map((request) => request.method);
    expect(methods.length).toBeGreaterThan(10);
    expect(new Set(methods)).toEqual(new Set(["GET"]));
    const commands = [...iamMock.calls(), ...s3Mock.calls(), ...ec2Mock.calls()].map((call) => (call.args[0] as object).constructor.name);
    expect(commands.length).toBeGreaterThan(5);
    expect(commands).toContain("DescribeInstancesCommand");
    for (const command of commands) expect(command).toMatch(/^(Get|List|Describe)[A-Za-z]+Command$/);
  });
});

describe("the doctor's Atlas client", () => {
  it("is the one Atlas client, read-only: a write is refused before anything is sent", async () => {
    atlasStandIn = await startStandIn(atlasRoutes());
    const client = doctorAtlasClient(atlasStandIn.url, PUBLIC_KEY, PRIVATE_KEY);
    await expect(client.post(`/groups/${PROJECT_ID}/clusters`, {})).rejects.toThrow(/refusing POST .*read-only/);
    await expect(client.delete(`/groups/${PROJECT_ID}`)).rejects.toThrow(/refusing DELETE .*read-only/);
    expect(atlasStandIn.requests).toEqual([]);
  });
});

describe("npm run doctor -- prod: each broken setting is a FAIL line naming it", () => {
  const deploy = specs.find((spec) => spec.purpose.suffix === "deploy") as GithubEnvironmentSpec;
  const environmentPath = `GET /repos/${repository}/environments/${deploy.name}`;
  const patchEnvironment = (patch: (body: Json) => void) => githubRoutes((routes) => {
    const body = environmentBody(deploy);
    patch(body);
    routes[environmentPath] = { body };
  });

  it.each([
    ["prod-deploy missing (GitHub would create it unprotected)", () => githubRoutes((routes) => delete routes[environmentPath]), /^FAIL github prod-deploy: missing: GitHub creates it on a job's first use with no reviewers/],
    ["no required reviewers on prod-deploy", () => patchEnvironment((body) => (body.protection_rules = body.protection_rules.filter((rule: Json) => rule.type !== "required_reviewers"))), /^FAIL github prod-deploy: required reviewers: found none, config\/github\.json has team:\d+; without them production applies unapproved/],
    ["self-review allowed", () => patchEnvironment((body) => (body.protection_rules[0].prevent_self_review = false)), /^FAIL github prod-deploy: prevent self-review: off/],
    ["admins may bypass", () => patchEnvironment((body) => (body.can_admins_bypass = true)), /^FAIL github prod-deploy: admin bypass: on \(GitHub's default\)/],
    ["every branch may deploy", () => patchEnvironment((body) => (body.deployment_branch_policy = null)), /^FAIL github prod-deploy: branches: every branch may run it; only main may/],
    ["a missing secret", () => githubRoutes((routes) => (routes[`${environmentPath}/secrets`] = { body: { total_count: 1, secrets: [{ name: "ATLAS_ORG_ID", created_at: "x", updated_at: "x" }] } })), /^FAIL github prod-deploy: secrets: missing ATLAS_PUBLIC_API_KEY, ATLAS_PRIVATE_API_KEY\. Fix: gh secret set/],
    ["main without the required check", () => githubRoutes((routes) => (routes[`GET /repos/${repository}/rules/branches/main`] = { body: [{ type: "deletion" }, { type: "non_fast_forward" }, { type: "pull_request", parameters: { required_approving_review_count: 1 } }] })), /^FAIL github main: check "test and synth" required: required checks: none/],
    ["a runner group open to every workflow", () => githubRoutes((routes) => {
      const body = structuredClone((routes[`GET /orgs/${owner}/actions/runner-groups`] as { body: Json }).body);
      body.runner_groups[0].restricted_to_workflows = false;
      routes[`GET /orgs/${owner}/actions/runner-groups`] = { body };
    }), /^FAIL github runner group audio-pipeline-vpc: workflows: not restricted: any workflow, a pull request's included/],
    ["no online runner with the environment's label", () => githubRoutes((routes) => (routes[`GET /orgs/${owner}/actions/runner-groups/2/runners`] = { body: { total_count: 0, runners: [] } })), /^FAIL github runner audio-pipeline-vpc: no runner labelled audio-pipeline-vpc/],
  ])("GitHub: %s", async (_what, routes, expected) => {
    const result = await doctor({ github: routes() });
    expect(failing(result.lines)).toEqual([expect.stringMatching(expected)]);
    expect(result.exitCode).toBe(1);
  });

  it.each([
    ["a plan key with Organization Read Only", (keys: Json[]) => keys[0].roles.push({ orgId: ORG_ID, roleName: "ORG_READ_ONLY" }), /^FAIL atlas  plan key: organization roles: Organization Member, Organization Read Only \(Organization Read Only reads every project of the organization, prod's included\)/],
    ["a plan key that is only Project Read Only where refresh needs Project Owner", (keys: Json[]) => (keys[0].roles[1].roleName = "GROUP_READ_ONLY"), /^FAIL atlas  plan key: project role: found Project Read Only here; wanted Project Owner: refreshing .*mongodbatlas_encryption_at_rest/],
    ["a deploy key that keeps Organization Project Creator after the first apply", (keys: Json[]) => keys[1].roles.push({ orgId: ORG_ID, roleName: "ORG_GROUP_CREATOR" }), /^FAIL atlas  deploy key: organization roles: still Organization Project Creator although the project exists/],
    ["a deploy key with a role in another project", (keys: Json[]) => keys[1].roles.push({ groupId: "6a1b2c3d4e5f60718293ffff", roleName: "GROUP_OWNER" }), /^FAIL atlas  deploy key: project role: found Project Owner here and roles in 1 other project\(s\)/],
    ["no deploy key", (keys: Json[]) => keys.pop(), /^FAIL atlas  deploy key: no API key described "audio-pipeline-prod-deploy"/],
  ])("Atlas: %s", async (_what, change, expected) => {
    const result = await doctor({ atlas: atlasRoutes((keys) => change(keys)) });
    expect(failing(result.lines)).toEqual([expect.stringMatching(expected)]);
  });

  it("Atlas: before the first apply, the deploy key needs Organization Project Creator", async () => {
    const result = await doctor({ atlas: atlasRoutes((_keys, routes) => (routes[`GET /api/atlas/v2/groups/byName/${prod.config.atlas.projectName}`] = { status: 404, body: { error: 404, errorCode: "GROUP_NAME_NOT_FOUND" } })) });
    expect(failing(result.lines)).toEqual([expect.stringMatching(/^FAIL atlas  deploy key: organization roles: Organization Member; the first apply needs Organization Member and Organization Project Creator/)]);
    expect(result.lines).toContainEqual(expect.stringMatching(/^WARN atlas  project audio-pipeline: does not exist yet/));
  });

  it("Atlas: a wrong private key is refused by digest authentication, in one line", async () => {
    atlasStandIn = await startStandIn(atlasRoutes());
    githubStandIn = await startStandIn(githubRoutes());
    healthyAws();
    const result = await runDoctor({
      environment: "prod",
      configDir,
      env: { GITHUB_API_URL: githubStandIn.url, GITHUB_TOKEN: "t", MONGODB_ATLAS_BASE_URL: atlasStandIn.url, MONGODB_ATLAS_PUBLIC_API_KEY: PUBLIC_KEY, MONGODB_ATLAS_PRIVATE_API_KEY: "wrong", MONGODB_ATLAS_ORG_ID: ORG_ID },
      aws: testClients(),
    });
    expect(failing(result.lines)).toEqual([expect.stringMatching(/^FAIL atlas  API key: the Admin API refused the caller's key \(401\)/)]);
  });

  it.each([
    ["a trust policy that differs from the generated one", () => {
      const role = roleOf("plan");
      const other = JSON.parse(JSON.stringify(role.trust).split(":environment:prod-plan").join(":environment:dev-plan"));
      iamMock.on(GetRoleCommand, { RoleName: role.roleArn.split("/").pop() }).resolves(roleBody(role, other));
    }, /^FAIL aws    plan role placeholder-audio-pipeline-prod-plan: trust policy: differs from the one the bootstrap stack generates: missing .*prod-plan.*\. Fix: npm run deploy -- audio-pipeline-bootstrap-000000000000/],
    ["a seed role that no longer trusts the bastion", () => {
      const role = roleOf("seed");
      const trust = role.trust as any;
      iamMock.on(GetRoleCommand, { RoleName: role.roleArn.split("/").pop() }).resolves(roleBody(role, { ...trust, Statement: trust.Statement.slice(0, 1) }));
    }, /^FAIL aws    seed role placeholder-audio-pipeline-prod-seeder: trust policy: differs .*: missing .*audio-pipeline-prod-bastion/],
    ["a next role trusted by another repository", () => {
      const role = roleOf("plan", true);
      const other = JSON.parse(JSON.stringify(role.trust).replace(/repo:[^:]+:/, "repo:someone/else:"));
      iamMock.on(GetRoleCommand, { RoleName: role.roleArn.split("/").pop() }).resolves(roleBody(role, other));
    }, /^FAIL aws    next plan role placeholder-audio-pipeline-prod-plan-2: trust policy: differs/],
    ["a permission policy with one more action than generated", () => {
      const role = roleOf("seed");
      const document = structuredClone(role.policies[0]) as any;
      document.Statement[0].Action = [...document.Statement[0].Action, "secretsmanager:PutSecretValue"];
      iamMock.on(GetPolicyVersionCommand, { PolicyArn: policyArn(role.roleArn, 0), VersionId: "v3" }).resolves({ PolicyVersion: { VersionId: "v3", Document: encodeURIComponent(JSON.stringify(document)) } });
    }, /^FAIL aws    seed role placeholder-audio-pipeline-prod-seeder: permission policies: differ from the ones the bootstrap stack generates: missing .*GetSecretValue.*Fix: npm run deploy -- audio-pipeline-bootstrap-000000000000/],
    ["a generated permission policy detached", () => {
      const role = roleOf("deploy");
      iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: role.roleArn.split("/").pop() }).resolves({ AttachedPolicies: [] });
    }, /^FAIL aws    deploy role placeholder-audio-pipeline-prod-deploy: permission policies: differ .*: missing /],
    ["an extra statement in a plan policy", () => {
      const role = roleOf("plan");
      const document = structuredClone(role.policies[0]) as any;
      document.Statement.push({ Effect: "Allow", Action: "s3:PutObject", Resource: "*" });
      iamMock.on(GetPolicyVersionCommand, { PolicyArn: policyArn(role.roleArn, 0), VersionId: "v3" }).resolves({ PolicyVersion: { VersionId: "v3", Document: encodeURIComponent(JSON.stringify(document)) } });
    }, /^FAIL aws    plan role placeholder-audio-pipeline-prod-plan: permission policies: differ .*: not generated .*s3:PutObject/],
    ["an inline policy on a CI role", () => iamMock.on(ListRolePoliciesCommand, { RoleName: roleOf("deploy").roleArn.split("/").pop() }).resolves({ PolicyNames: ["extra"] }), /^FAIL aws    deploy role .*: permission policies: inline policies extra/],
    ["a MaxSessionDuration shorter than the apply", () => {
      const role = roleOf("deploy");
      iamMock.on(GetRoleCommand, { RoleName: role.roleArn.split("/").pop() }).resolves(roleBody(role, role.trust, 3600));
    }, /^FAIL aws    deploy role placeholder-audio-pipeline-prod-deploy: MaxSessionDuration: 3600 s, shorter than the 10800 s the workflows ask for/],
    ["a missing role", () => iamMock.on(GetRoleCommand, { RoleName: roleOf("seed").roleArn.split("/").pop() }).rejects(Object.assign(new Error("The role cannot be found."), { name: "NoSuchEntityException" })), /^FAIL aws    seed role placeholder-audio-pipeline-prod-seeder: does not exist/],
    ["AdministratorAccess on a CI role", () => iamMock.on(ListAttachedRolePoliciesCommand, { RoleName: roleOf("plan").roleArn.split("/").pop() }).resolves({ AttachedPolicies: [{ PolicyName: "AdministratorAccess", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }] }), /^FAIL aws    plan role .*: permission policies: AdministratorAccess attached/],
    ["a VPC runner whose security group the endpoint does not admit", () => ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: "i-0a1b2c3d4e5f60718", SecurityGroups: [{ GroupId: "sg-0ffffffffffffffff" }] }] }] }), /^FAIL aws    runner ip-10-0-1-23: security group: sg-0ffffffffffffffff, none of network\.clientSecurityGroups: the endpoint refuses it/],
    ["a runner outside the environment's VPC", () => ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] }), /^FAIL aws    runner ip-10-0-1-23: security group: no instance with address 10\.0\.1\.23 in vpc-/],
    ["a state bucket without versioning", () => s3Mock.on(GetBucketVersioningCommand).resolves({ Status: "Suspended" }), /^FAIL aws    state bucket .*: versioning: Suspended/],
    ["a state bucket without the whole public access block", () => s3Mock.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true } }), /^FAIL aws    state bucket .*: public access block: not all four on/],
  ])("AWS: %s", async (_what, change, expected) => {
    const result = await doctor({ aws: change });
    expect(failing(result.lines)).toEqual([expect.stringMatching(expected)]);
  });
});

describe("npm run doctor -- prod with an Atlas webhook", () => {
  it("also wants ATLAS_ALERT_WEBHOOK_SECRET in the environments that hold the Atlas keys", async () => {
    const webhookDir = path.join(workspace, "config-webhook");
    writeConfigFile(webhookDir, "prod", { ...prodJson, monitoring: { ...prodJson.monitoring, atlasWebhookUrl: "https://hooks.audio-pipeline.internal/atlas" } });
    writeConfigFile(webhookDir, "dev", committedConfigJson("dev"));
    fs.copyFileSync("config/github.json", path.join(webhookDir, "github.json"));
    githubStandIn = await startStandIn(githubRoutes());
    atlasStandIn = await startStandIn(atlasRoutes());
    healthyAws();
    const result = await runDoctor({
      environment: "prod",
      configDir: webhookDir,
      env: { GITHUB_API_URL: githubStandIn.url, GITHUB_TOKEN: "t", MONGODB_ATLAS_BASE_URL: atlasStandIn.url, MONGODB_ATLAS_PUBLIC_API_KEY: PUBLIC_KEY, MONGODB_ATLAS_PRIVATE_API_KEY: PRIVATE_KEY, MONGODB_ATLAS_ORG_ID: ORG_ID },
      aws: testClients(),
    });
    expect(failing(result.lines)).toEqual([
      expect.stringMatching(/^FAIL github prod-plan: secrets: missing ATLAS_ALERT_WEBHOOK_SECRET/),
      expect.stringMatching(/^FAIL github prod-deploy: secrets: missing ATLAS_ALERT_WEBHOOK_SECRET/),
    ]);
  });
});

describe("npm run doctor without credentials or network", () => {
  it("prints one clear line per service and exits 1, with no stack trace", () => {
    const home = temporaryDirectory("doctor-home");
    const child = spawnSync(process.execPath, ["--require", "tsx/cjs", "src/doctor/cli.ts", "prod"], {
      encoding: "utf8",
      timeout: 60_000,
      // No credentials anywhere; no instance metadata (never a cloud address from a test).
      env: { PATH: process.env.PATH, HOME: home, AWS_EC2_METADATA_DISABLED: "true", AWS_CONFIG_FILE: path.join(home, "none"), AWS_SHARED_CREDENTIALS_FILE: path.join(home, "none") },
    });
    fs.rmSync(home, { recursive: true, force: true });
    expect(child.status).toBe(1);
    const lines = child.stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^FAIL aws    credentials: none found .*\. Fix: /),
      expect.stringMatching(/^FAIL github token: GITHUB_TOKEN \(or GH_TOKEN\) is not set.*\. Fix: /),
      expect.stringMatching(/^FAIL atlas  API key: MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY are not set.*\. Fix: /),
    ]);
    expect(`${child.stdout}${child.stderr}`).not.toMatch(/\n\s+at /);
  });

  it("says, in one GitHub line, when config/github.json is missing; AWS and Atlas still check", async () => {
    const bare = path.join(workspace, "config-bare");
    writeConfigFile(bare, "prod", prodJson);
    healthyAws();
    const result = await runDoctor({ environment: "prod", configDir: bare, env: {}, aws: testClients() });
    // AWS still checks: the roles trust the environment file's github.repository.
    expect(failing(result.lines)).toEqual([expect.stringMatching(/^FAIL github settings: .*github\.json does not exist/), expect.stringMatching(/^FAIL atlas  API key: /)]);
    expect(result.lines.some((line) => line.startsWith("ok   aws    plan role"))).toBe(true);
  });

  it("names the environments there are when asked for one that is not", async () => {
    const result = await runDoctor({ environment: "staging", configDir, env: {} });
    expect(result).toMatchObject({ exitCode: 1, lines: ['FAIL doctor: no environment "staging" in ' + configDir + "/; allowed: dev, prod"] });
  });
});
