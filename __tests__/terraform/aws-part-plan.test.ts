/*
 * The real Terraform CLI on the AWS part of each synthesized stack, offline: init from the
 * provider mirror, plan -refresh=false (which validates first), show -json; then assertions on the plan,
 * compared with config/<env>.json. See docs/terraform-proof.md. One workspace plans every
 * stack's AWS part (and its reviewer HCL, for aws-part-hcl.test.ts) as child modules; each
 * stack's tests read only its own module's part of the plan (aws-part-workspace.ts).
 *
 * Skipped, with the reason printed, when terraform or the mirror (TF_PLUGIN_MIRROR) is missing.
 * The full validate of the unmodified stacks runs only with TF_FULL_VALIDATE=1 (needs the registry).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { EnvironmentConfig } from "../../src/config/environment-config";
import { fakeAlphanumeric, referencesTo, type AwsPartResult, type Json, type JsonObject } from "../support/aws-part";
import {
  AWS_PROVIDER_ADDRESS,
  offlineTerraformAvailability,
  registryTerraformAvailability,
  settled,
  TerraformWorkspace,
  type ConfigurationResource,
  type PlanJson,
  type ResourceChange,
} from "../support/terraform-runner";
import { resolveEnvironments } from "../../src/environment/resolve";
import { stackName } from "../../src/environment/names";
import { moduleName, planOfStack, sharedRunOrThrow, type PlannedStack, type SharedAwsPartRun } from "./aws-part-workspace";
import { CONFIG_DIR, synthesizeStacks, type SynthesizedStack } from "./synthesized-stacks";

const BUILTIN_TERRAFORM_PROVIDER = "terraform.io/builtin/terraform";

/** What MongoDB requires open behind a private endpoint (mongodb.com/docs/atlas/security-private-endpoint). */
const PRIVATE_ENDPOINT_PORTS = { from: 1024, to: 65535 };
const OPEN_TO_THE_WORLD = new Set(["0.0.0.0/0", "::/0"]);

/** The stacks the app synthesizes, one per environment file; known without synthesizing, so skipped tests still list them. */
const STACK_NAMES = resolveEnvironments(CONFIG_DIR).map(({ config }) => stackName(config.environment));

const offline = offlineTerraformAvailability();
if (!offline.available) console.warn(`[terraform] skipping the AWS-part plan tests: ${offline.reason}`);

const fullValidateRequested = process.env.TF_FULL_VALIDATE === "1";
const registry = fullValidateRequested ? registryTerraformAvailability() : undefined;
if (!fullValidateRequested) {
  console.warn("[terraform] skipping the full validate of the unmodified stacks: opt in with TF_FULL_VALIDATE=1 where the registry is reachable");
} else if (registry && !registry.available) {
  console.warn(`[terraform] skipping the full validate of the unmodified stacks: ${registry.reason}`);
}

/** One statement of a key policy as the plan shows it. */
type PolicyStatement = JsonObject & { readonly Principal?: Json; readonly Action?: Json };
const principalsOf = (statement: PolicyStatement): string[] =>
  statement.Principal === "*" ? ["*"] : ([] as Json[]).concat(((statement.Principal ?? {}) as JsonObject).AWS ?? []).map(String);
const actionsOf = (statement: PolicyStatement): string[] => ([] as Json[]).concat(statement.Action ?? []).map(String);
/** Actions that use a key (or grant its use), wildcards included. */
const isCryptographic = (action: string): boolean =>
  /^kms:(Encrypt|Decrypt|ReEncrypt.*|GenerateDataKey.*|GenerateMac|VerifyMac|Sign|Verify|CreateGrant|\*)$|^\*$/.test(action);

/**
 * Everything in a text that is, or names, a database password: the word itself (a key, a
 * random_password address, a stand-in), the AWS part's fake password, and URIs with user info.
 */
function credentialsIn(text: string): string[] {
  const patterns = [/[\w.-]*password[\w.-]*/gi, new RegExp(fakeAlphanumeric(8), "g"), /mongodb(\+srv)?:\/\/[^"\s/@]*@/g];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[0]));
}

/** Lookups on one plan. */
class PlanView {
  constructor(
    readonly plan: PlanJson,
    readonly config: EnvironmentConfig,
    readonly awsPart: AwsPartResult,
  ) {}

  get managedChanges(): readonly ResourceChange[] {
    return (this.plan.resource_changes ?? []).filter((change) => change.mode === "managed");
  }

  changes(type: string): ResourceChange[] {
    return this.managedChanges.filter((change) => change.type === type);
  }

  after(change: ResourceChange): JsonObject {
    expect(change.change.after, `${change.address} has planned values`).not.toBeNull();
    return change.change.after!;
  }

  configuration(address: string): ConfigurationResource {
    const found = (this.plan.configuration.root_module.resources ?? []).find((resource) => resource.address === address);
    if (!found) throw new Error(`${address} is not in the plan's configuration`);
    return found;
  }

  /** Addresses of resources (type.name) an argument refers to. */
  referencedResources(address: string, argument: string): string[] {
    const references = this.configuration(address).expressions?.[argument]?.references ?? [];
    return references.filter((reference) => /^[a-z][\w-]*\.[\w-]+$/.test(reference) && !reference.startsWith("var."));
  }

  /** Variables an argument refers to (var.x). */
  referencedVariables(address: string, argument: string): string[] {
    const references = this.configuration(address).expressions?.[argument]?.references ?? [];
    return references.filter((reference) => reference.startsWith("var.")).map((reference) => reference.slice(4));
  }

  /** Ingress rules into a security group: inline ones, aws_vpc_security_group_ingress_rule and aws_security_group_rule. */
  ingressInto(securityGroup: string): { readonly address: string; readonly protocol: string; readonly from: Json; readonly to: Json; readonly sources: string[] }[] {
    const rules: { address: string; protocol: string; from: Json; to: Json; sources: string[] }[] = [];
    const group = this.managedChanges.find((change) => change.address === securityGroup);
    const inline = group?.change.after?.ingress;
    if (Array.isArray(inline)) {
      for (const rule of inline as JsonObject[]) {
        rules.push({
          address: `${securityGroup} (inline)`,
          protocol: String(rule.protocol),
          from: rule.from_port,
          to: rule.to_port,
          sources: [...((rule.cidr_blocks as string[]) ?? []), ...((rule.ipv6_cidr_blocks as string[]) ?? []), ...((rule.security_groups as string[]) ?? [])],
        });
      }
    }
    for (const change of this.changes("aws_vpc_security_group_ingress_rule")) {
      if (!this.targets(change, "security_group_id", securityGroup)) continue;
      const after = this.after(change);
      rules.push({
        address: change.address,
        protocol: String(after.ip_protocol),
        from: after.from_port,
        to: after.to_port,
        sources: [after.cidr_ipv4, after.cidr_ipv6, after.referenced_security_group_id, after.prefix_list_id].filter(
          (source): source is string => typeof source === "string",
        ),
      });
    }
    for (const change of this.changes("aws_security_group_rule")) {
      const after = this.after(change);
      if (after.type !== "ingress" || !this.targets(change, "security_group_id", securityGroup)) continue;
      rules.push({
        address: change.address,
        protocol: String(after.protocol),
        from: after.from_port,
        to: after.to_port,
        sources: [
          ...((after.cidr_blocks as string[]) ?? []),
          ...((after.ipv6_cidr_blocks as string[]) ?? []),
          ...(typeof after.source_security_group_id === "string" ? [after.source_security_group_id] : []),
        ],
      });
    }
    return rules;
  }

  private targets(change: ResourceChange, argument: string, securityGroup: string): boolean {
    return this.referencedResources(change.address, argument).includes(securityGroup) || change.change.after?.[argument] === securityGroup;
  }

  /** The statements of the policy in force on a key: its aws_kms_key_policy if it has one, else its own `policy`. */
  keyPolicy(keyAddress: string): PolicyStatement[] {
    const attached = this.changes("aws_kms_key_policy").find((policy) => this.referencedResources(policy.address, "key_id").includes(keyAddress));
    const key = this.managedChanges.find((change) => change.address === keyAddress);
    const policy = attached ? this.after(attached).policy : key && this.after(key).policy;
    expect(typeof policy, `${keyAddress} has an explicit key policy known at plan time`).toBe("string");
    return (JSON.parse(String(policy)) as { Statement: PolicyStatement[] }).Statement;
  }

  /** The stand-in that replaced an expression matching `pattern` (e.g. /\.endpoint_service_name$/). */
  standIn(pattern: RegExp) {
    const found = this.awsPart.standIns.find((standIn) => pattern.test(standIn.replaces));
    if (!found) throw new Error(`no stand-in replaces an expression matching ${pattern}`);
    return found;
  }
}

/** Checks of the plan, by AWS resource type. Add a type (SNS, CloudWatch, S3, IAM, ...) with its checks here. */
const CHECKS_BY_TYPE: Record<string, { readonly name: string; readonly check: (view: PlanView) => void }[]> = {
  aws_kms_key: [
    {
      name: "has an explicit policy: the account root administers without using the key, nobody gets kms:* or '*' access",
      check: (view) => {
        const root = `arn:aws:iam::${view.config.aws.accountId}:root`;
        for (const key of view.changes("aws_kms_key")) {
          const statements = view.keyPolicy(key.address);
          const rootStatements = statements.filter((statement) => principalsOf(statement).includes(root));
          expect(rootStatements.flatMap(actionsOf), key.address).toContain("kms:PutKeyPolicy");
          // The root stands for named roles only: every root statement carries an aws:PrincipalArn list.
          for (const statement of rootStatements) {
            const named = ((statement.Condition as JsonObject | undefined)?.ArnEquals as JsonObject | undefined)?.["aws:PrincipalArn"];
            expect(named, `${key.address} ${String(statement.Sid)}`).toEqual(expect.arrayContaining([view.config.ci.deployRoleArn]));
            // Using the key through the root (publishing a test message) only through a service.
            if (actionsOf(statement).some(isCryptographic)) expect((statement.Condition as JsonObject).StringEquals, key.address).toHaveProperty(["kms:ViaService"]);
          }
          expect(statements.flatMap(actionsOf), key.address).not.toContain("kms:*");
          expect(statements.filter((statement) => principalsOf(statement).includes("*")), key.address).toEqual([]);
          // The deploy role can always change the key's policy again (KMS refuses a policy that locks its caller out).
          const deployActions = statements.filter((statement) => principalsOf(statement).includes(view.config.ci.deployRoleArn)).flatMap(actionsOf);
          expect(deployActions, key.address).toContain("kms:PutKeyPolicy");
        }
      },
    },
    {
      name: "connection_secret_key: only the secrets' readers and the Terraform roles decrypt, through Secrets Manager in the stack's region",
      check: (view) => {
        const { config } = view;
        const using = view.keyPolicy("aws_kms_key.connection_secret_key").filter((statement) => actionsOf(statement).some(isCryptographic));
        expect(new Set(using.flatMap(principalsOf))).toEqual(
          new Set([config.database.appRoleArn, config.database.seederRoleArn, config.ci.planRoleArn, config.ci.deployRoleArn]),
        );
        for (const statement of using) {
          expect(((statement.Condition as JsonObject).StringEquals as JsonObject)["kms:ViaService"]).toBe(`secretsmanager.${config.region}.amazonaws.com`);
        }
        const generators = using.filter((statement) => actionsOf(statement).includes("kms:GenerateDataKey")).flatMap(principalsOf);
        expect(generators).toEqual([config.ci.deployRoleArn]);
      },
    },
    {
      name: "atlas_encryption_key (when encryption at rest is on): rotates every 90 days, only Atlas's role encrypts and decrypts",
      check: (view) => {
        const key = view.changes("aws_kms_key").find((change) => change.address === "aws_kms_key.atlas_encryption_key");
        expect(key !== undefined, "the key exists exactly when atlas.encryptionAtRest is on").toBe(view.config.atlas.encryptionAtRest);
        if (!key) return;
        expect(view.after(key)).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 90 });
        const role = view.changes("aws_iam_role").find((change) => change.address === "aws_iam_role.atlas_encryption_role")!;
        const atlasRole = `arn:aws:iam::${view.config.aws.accountId}:role/${String(view.after(role).name)}`;
        const using = view.keyPolicy(key.address).filter((statement) => actionsOf(statement).some(isCryptographic));
        expect(using.map((statement) => [principalsOf(statement), actionsOf(statement).sort()])).toEqual([
          [[atlasRole], ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"]],
        ]);
      },
    },
    {
      name: "is created with automatic rotation enabled",
      check: (view) => {
        const keys = view.changes("aws_kms_key");
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
          expect(key.change.actions, key.address).toEqual(["create"]);
          expect(view.after(key).enable_key_rotation, key.address).toBe(true);
        }
      },
    },
  ],
  aws_secretsmanager_secret: [
    {
      name: "is created with the configured name and recovery window, encrypted with a rotating key of the stack",
      check: (view) => {
        const secrets = view.changes("aws_secretsmanager_secret").filter((change) => view.after(change).name === view.config.connectionSecret.name);
        expect(secrets, `a secret named ${view.config.connectionSecret.name}`).toHaveLength(1);
        const [secret] = secrets;
        expect(secret.change.actions).toEqual(["create"]);
        expect(view.after(secret).recovery_window_in_days).toBe(view.config.connectionSecret.recoveryWindowDays);
        const keys = view.referencedResources(secret.address, "kms_key_id");
        expect(keys).toHaveLength(1);
        expect(keys[0]).toMatch(/^aws_kms_key\./);
        const key = view.changes("aws_kms_key").find((change) => change.address === keys[0])!;
        expect(view.after(key).enable_key_rotation).toBe(true);
      },
    },
  ],
  aws_secretsmanager_secret_version: [
    {
      name: "is created and holds the private SRV URI of the configured database and cluster, with the credentials of the configured mode",
      check: (view) => {
        const secret = view.changes("aws_secretsmanager_secret").find((change) => view.after(change).name === view.config.connectionSecret.name)!;
        const versions = view.changes("aws_secretsmanager_secret_version").filter((change) =>
          view.referencedResources(change.address, "secret_id").includes(secret.address),
        );
        expect(versions).toHaveLength(1);
        const [version] = versions;
        expect(version.change.actions).toEqual(["create"]);
        const secretString = view.after(version).secret_string;
        expect(typeof secretString, "secret_string is known from the stand-ins").toBe("string");
        const value = JSON.parse(secretString as string) as Record<string, string>;
        const { database, environment, atlas } = view.config;
        expect(value).toMatchObject({ database: database.name, environment, cluster: atlas.clusterName, authentication: database.authentication });
        const srv = view.standIn(/srv_connection_string/);
        const srvHost = new URL(([] as Json[]).concat(srv.default)[0] as string).hostname;
        const uri = new URL(value.uri);
        expect(uri.protocol).toBe("mongodb+srv:");
        expect(uri.hostname, "the private-endpoint host, without a second scheme").toBe(srvHost);
        expect(uri.pathname).toBe(`/${database.name}`);
        expect(Object.fromEntries(uri.searchParams)).toMatchObject({ retryWrites: "true", w: "majority", minPoolSize: "10", maxPoolSize: "50" });
        if (database.authentication === "password") {
          expect(value.username).toBe(database.username);
          expect(decodeURIComponent(uri.username)).toBe(database.username);
          expect(uri.password).toBe(view.standIn(/^random_password\..*\.result$/).default);
        } else {
          expect(Object.keys(value).sort()).toEqual(["authentication", "cluster", "database", "environment", "roleArn", "uri"]);
          expect(value.roleArn).toBe(database.appRoleArn);
          expect([uri.username, uri.password]).toEqual(["", ""]);
          expect(uri.searchParams.get("authMechanism")).toBe("MONGODB-AWS");
          expect(uri.searchParams.get("authSource")).toBe("$external");
        }
      },
    },
  ],
  aws_secretsmanager_secret_policy: [
    {
      name: "denies GetSecretValue on each secret to all but its reader and the plan and deploy roles",
      check: (view) => {
        const { config } = view;
        const readerOf: Record<string, string> = {
          [config.connectionSecret.name]: config.database.appRoleArn,
          [config.connectionSecret.seederName]: config.database.seederRoleArn,
        };
        const secrets = view.changes("aws_secretsmanager_secret");
        expect(secrets.map((secret) => String(view.after(secret).name)).sort()).toEqual(Object.keys(readerOf).sort());
        for (const secret of secrets) {
          const policies = view.changes("aws_secretsmanager_secret_policy").filter((policy) => view.referencedResources(policy.address, "secret_arn").includes(secret.address));
          expect(policies, `${secret.address} has one resource policy`).toHaveLength(1);
          const after = view.after(policies[0]);
          expect(policies[0].change.actions).toEqual(["create"]);
          expect(after.block_public_policy).toBe(true);
          const document = JSON.parse(String(after.policy)) as { Statement: JsonObject[] };
          const readers = [readerOf[String(view.after(secret).name)], config.ci.planRoleArn, config.ci.deployRoleArn];
          const administrators = [config.ci.deployRoleArn, ...(config.ci.breakGlassRoleArn ? [config.ci.breakGlassRoleArn] : [])];
          expect(document.Statement.find((statement) => statement.Sid === "OnlyNamedAdministratorsChangeIt")).toMatchObject({
            Effect: "Deny",
            Principal: "*",
            Action: expect.arrayContaining(["secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy"]),
            Condition: { ArnNotEquals: { "aws:PrincipalArn": administrators } },
          });
          expect(document.Statement.filter((statement) => statement.Sid !== "OnlyNamedAdministratorsChangeIt")).toEqual([
            {
              Sid: "OnlyItsReadersGetTheValue",
              Effect: "Deny",
              Principal: "*",
              Action: "secretsmanager:GetSecretValue",
              Resource: "*",
              Condition: { ArnNotEquals: { "aws:PrincipalArn": expect.arrayContaining(readers) } },
            },
          ]);
          expect(((document.Statement[0].Condition as JsonObject).ArnNotEquals as JsonObject)["aws:PrincipalArn"]).toHaveLength(readers.length);
        }
      },
    },
  ],
  aws_security_group: [
    {
      name: "is created in the configured VPC, with no ingress from 0.0.0.0/0 or ::/0",
      check: (view) => {
        const groups = view.changes("aws_security_group");
        expect(groups.length).toBeGreaterThan(0);
        for (const group of groups) {
          expect(group.change.actions, group.address).toEqual(["create"]);
          expect(view.after(group).vpc_id, group.address).toBe(view.config.network.vpcId);
          if (!Array.isArray(view.after(group).ingress)) {
            // Unknown until apply only because the configuration sets no inline ingress at all.
            expect(view.configuration(group.address).expressions?.ingress, `${group.address} inline ingress`).toBeUndefined();
          }
          const open = view.ingressInto(group.address).filter((rule) => rule.sources.some((source) => OPEN_TO_THE_WORLD.has(source)));
          expect(open, `${group.address}: ingress open to the world`).toEqual([]);
        }
        // Also rules whose target is not a group of this stack.
        const openRules = view
          .changes("aws_vpc_security_group_ingress_rule")
          .filter((rule) => [view.after(rule).cidr_ipv4, view.after(rule).cidr_ipv6].some((cidr) => OPEN_TO_THE_WORLD.has(cidr as string)));
        expect(openRules.map((rule) => rule.address)).toEqual([]);
      },
    },
  ],
  aws_vpc_security_group_ingress_rule: [
    {
      name: "open exactly TCP 1024-65535 into the endpoint's group, from each configured client security group",
      check: (view) => {
        const [endpoint] = view.changes("aws_vpc_endpoint");
        const groups = view.referencedResources(endpoint.address, "security_group_ids").filter((address) => address.startsWith("aws_security_group."));
        expect(groups).toHaveLength(1);
        const rules = view.ingressInto(groups[0]);
        const label = (rule: { protocol: string; from: Json; to: Json; sources: string[] }) =>
          `${rule.protocol} ${String(rule.from)}-${String(rule.to)} from ${rule.sources.join(",")}`;
        const expected = Object.values(view.config.network.clientSecurityGroups).map((group) =>
          label({ protocol: "tcp", from: PRIVATE_ENDPOINT_PORTS.from, to: PRIVATE_ENDPOINT_PORTS.to, sources: [group] }),
        );
        expect(rules.map(label).sort()).toEqual(expected.sort());
        for (const rule of view.changes("aws_vpc_security_group_ingress_rule")) expect(rule.change.actions, rule.address).toEqual(["create"]);
      },
    },
  ],
  aws_vpc_endpoint: [
    {
      name: "is an Interface endpoint to the Atlas endpoint service, in the configured VPC and subnets, behind its own group",
      check: (view) => {
        const endpoints = view.changes("aws_vpc_endpoint");
        expect(endpoints).toHaveLength(1);
        const [endpoint] = endpoints;
        const after = view.after(endpoint);
        expect(endpoint.change.actions).toEqual(["create"]);
        expect(after.vpc_endpoint_type).toBe("Interface");
        expect(after.vpc_id).toBe(view.config.network.vpcId);
        expect([...(after.subnet_ids as string[])].sort()).toEqual([...view.config.network.privateSubnetIds].sort());
        // service_name comes from the Atlas PrivateLink endpoint (here its stand-in).
        const serviceName = view.standIn(/^mongodbatlas_privatelink_endpoint\.[\w-]+\.endpoint_service_name$/);
        expect(view.referencedVariables(endpoint.address, "service_name")).toEqual([serviceName.name]);
        expect(after.service_name).toBe(serviceName.default);
        expect(after.service_name).toMatch(new RegExp(`^com\\.amazonaws\\.vpce\\.${view.config.region}\\.vpce-svc-[0-9a-f]{17}$`));
        const groups = view.referencedResources(endpoint.address, "security_group_ids");
        expect(groups.filter((address) => address.startsWith("aws_security_group."))).toHaveLength(1);
      },
    },
  ],
  aws_sns_topic: [
    {
      name: "is created for the alarms, encrypted with a rotating KMS key of the stack, with the configured subscribers",
      check: (view) => {
        const topics = view.changes("aws_sns_topic");
        expect(topics).toHaveLength(1);
        const [topic] = topics;
        expect(topic.change.actions).toEqual(["create"]);
        const keys = view.referencedResources(topic.address, "kms_master_key_id").filter((address) => address.startsWith("aws_kms_key."));
        expect(keys).toHaveLength(1);
        expect(view.after(view.changes("aws_kms_key").find((key) => key.address === keys[0])!).enable_key_rotation).toBe(true);
        const subscribers = view.changes("aws_sns_topic_subscription").map((subscription) => view.after(subscription).endpoint).sort();
        expect(subscribers).toEqual([...(view.config.monitoring.alertEmails ?? [])].sort());
      },
    },
  ],
  aws_cloudwatch_metric_alarm: [
    {
      name: "watch the PrivateLink endpoint in AWS/PrivateLinkEndpoints and notify the alarm topic",
      check: (view) => {
        const alarms = view.changes("aws_cloudwatch_metric_alarm");
        const metrics = alarms.map((alarm) => view.after(alarm).metric_name).sort();
        expect(metrics).toEqual(view.config.monitoring.expectTraffic ? ["ActiveConnections", "PacketsDropped"] : ["PacketsDropped"]);
        const serviceName = view.standIn(/^mongodbatlas_privatelink_endpoint\.[\w-]+\.endpoint_service_name$/);
        for (const alarm of alarms) {
          const after = view.after(alarm);
          expect(alarm.change.actions, alarm.address).toEqual(["create"]);
          expect(after.namespace).toBe("AWS/PrivateLinkEndpoints");
          expect(view.referencedResources(alarm.address, "dimensions")).toContain("aws_vpc_endpoint.atlas_vpc_endpoint");
          expect(view.referencedVariables(alarm.address, "dimensions")).toEqual([serviceName.name]);
          expect(view.referencedResources(alarm.address, "alarm_actions")).toContain("aws_sns_topic.alarm_topic");
          expect(String(after.alarm_description)).toMatch(/Check first/);
        }
      },
    },
  ],
  aws_cloudwatch_dashboard: [
    {
      name: "is created for the endpoint's metrics",
      check: (view) => {
        const [dashboard] = view.changes("aws_cloudwatch_dashboard");
        expect(dashboard.change.actions).toEqual(["create"]);
        expect(view.referencedResources(dashboard.address, "dashboard_body")).toContain("aws_vpc_endpoint.atlas_vpc_endpoint");
      },
    },
  ],
  aws_s3_bucket: [
    {
      name: "holds the exported Atlas logs (when enabled): public access blocked, encrypted, versioned, expiring, TLS only",
      check: (view) => {
        const buckets = view.changes("aws_s3_bucket");
        expect(buckets).toHaveLength(view.config.monitoring.logExport ? 1 : 0);
        for (const bucket of buckets) {
          expect(bucket.change.actions).toEqual(["create"]);
          const companion = (type: string) => {
            const found = view.changes(type).filter((change) => view.referencedResources(change.address, "bucket").includes(bucket.address));
            expect(found, `${type} of ${bucket.address}`).toHaveLength(1);
            return view.after(found[0]);
          };
          expect(companion("aws_s3_bucket_public_access_block")).toMatchObject({
            block_public_acls: true,
            block_public_policy: true,
            ignore_public_acls: true,
            restrict_public_buckets: true,
          });
          expect(JSON.stringify(companion("aws_s3_bucket_server_side_encryption_configuration").rule)).toContain('"sse_algorithm":"AES256"');
          expect(companion("aws_s3_bucket_versioning").versioning_configuration).toEqual([expect.objectContaining({ status: "Enabled" })]);
          const lifecycle = companion("aws_s3_bucket_lifecycle_configuration").rule as JsonObject[];
          expect(lifecycle[0].expiration).toEqual([expect.objectContaining({ days: view.config.monitoring.logRetentionDays })]);
          const policy = view.configuration(
            view.changes("aws_s3_bucket_policy").find((change) => view.referencedResources(change.address, "bucket").includes(bucket.address))!.address,
          );
          expect(JSON.stringify(policy.expressions?.policy)).toContain("aws:SecureTransport");
        }
      },
    },
  ],
  terraform_data: [
    {
      name: "waits (local-exec sleep of 30 s or more) after each Atlas role and what grants it, before Atlas authorizes the role",
      check: (view) => {
        const waits = view.changes("terraform_data");
        expect(waits.map((wait) => wait.address).sort()).toEqual(view.changes("aws_iam_role").map((role) => role.address.replace(/^aws_iam_role\.(.*)$/, "terraform_data.$1_propagation")).sort());
        for (const wait of waits) {
          const role = wait.address.replace(/^terraform_data\.(.*)_propagation$/, "aws_iam_role.$1");
          const configuration = view.configuration(wait.address) as ConfigurationResource & { depends_on?: string[]; provisioners?: { type: string; expressions: { command: { constant_value: string } } }[] };
          expect(configuration.depends_on, wait.address).toContain(role);
          expect(view.referencedResources(wait.address, "triggers_replace"), wait.address).toContain(role);
          const [provisioner] = configuration.provisioners ?? [];
          expect(provisioner?.type, wait.address).toBe("local-exec");
          expect(Number(/^sleep (\d+)$/.exec(provisioner.expressions.command.constant_value)?.[1]), wait.address).toBeGreaterThanOrEqual(30);
        }
      },
    },
  ],
  aws_iam_role: [
    {
      name: "lets only Atlas's account assume each Atlas role (log export, encryption key), with this project's external id",
      check: (view) => {
        const roles = view.changes("aws_iam_role");
        const expected = [
          ...(view.config.monitoring.logExport ? ["aws_iam_role.atlas_log_export_role"] : []),
          ...(view.config.atlas.encryptionAtRest ? ["aws_iam_role.atlas_encryption_role"] : []),
        ];
        expect(roles.map((role) => role.address).sort()).toEqual(expected.sort());
        for (const role of roles) {
          expect(role.change.actions).toEqual(["create"]);
          const trust = JSON.parse(String(view.after(role).assume_role_policy)) as { Statement: JsonObject[] };
          const accountArn = view.standIn(/atlas_aws_account_arn$/);
          const externalId = view.standIn(/atlas_assumed_role_external_id$/);
          expect(trust.Statement).toEqual([
            {
              Effect: "Allow",
              Principal: { AWS: accountArn.default },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "sts:ExternalId": externalId.default } },
            },
          ]);
        }
      },
    },
  ],
};

describe("the committed environments the real plan covers", () => {
  it("include at least one in aws-iam mode, so the no-password check of the plan runs", () => {
    expect(resolveEnvironments(CONFIG_DIR).map(({ config }) => config.database.authentication)).toContain("aws-iam");
  });
});

describe.skipIf(!offline.available)("real Terraform, offline: the AWS part of each stack", () => {
  // One workspace for every stack and for the reviewer HCL of aws-part-hcl.test.ts: see aws-part-workspace.ts.
  let shared: Promise<SharedAwsPartRun>;

  beforeAll(() => {
    if (!offline.available) return;
    shared = settled(sharedRunOrThrow(offline));
  });

  afterAll(async () => {
    const done = await shared?.catch(() => undefined);
    if (done) console.info(`[terraform] AWS parts of ${done.stacks.map((stack) => stack.name).join(", ")} (JSON and HCL modules): ${done.timings}`);
  });

  /** A stack's AWS part as planned; a failure while preparing it is rethrown by each of its tests. */
  const run = async (name: string): Promise<{ readonly shared: SharedAwsPartRun; readonly stack: PlannedStack }> => {
    const done = await shared;
    if (done.preparationErrors[name]) throw new Error(done.preparationErrors[name]);
    const stack = done.stacks.find((candidate) => candidate.name === name);
    if (!stack) throw new Error(`synthesizeApp wrote no stack ${name}`);
    return { shared: done, stack };
  };
  const view = async (name: string): Promise<PlanView> => {
    const { shared: done, stack } = await run(name);
    if (!stack.config) throw new Error(`${name} comes from no environment file`);
    return new PlanView(planOfStack(done.plan, name), stack.config, stack.awsPart);
  };

  describe.each(STACK_NAMES.map((name) => [name]))("%s", (name) => {
    test("the AWS part keeps every aws resource and refers to nothing it removed", async () => {
      const { stack } = await run(name);
      const { awsPart } = stack;
      const addresses = (json: JsonObject, keep: (type: string) => boolean) =>
        Object.entries((json.resource as Record<string, JsonObject>) ?? {})
          .filter(([type]) => keep(type))
          .flatMap(([type, byName]) => Object.keys(byName).map((resource) => `${type}.${resource}`))
          .sort();
      expect(addresses(awsPart.config, () => true)).toEqual(addresses(stack.json, (type) => type.startsWith("aws_") || type === "terraform_data"));
      expect(referencesTo(awsPart.config, awsPart.removed.resources)).toEqual([]);
      expect(Object.keys(awsPart.config.provider as JsonObject)).toEqual(["aws"]);
      expect(Object.keys((awsPart.config.terraform as JsonObject).required_providers as JsonObject)).toEqual(["aws"]);
    }, 300_000);

    test("terraform init installs only hashicorp/aws, at the pinned version, from the mirror", async () => {
      const { shared: done, stack } = await run(name);
      const { json } = done.version;
      const pinned = ((stack.json.terraform as JsonObject).required_providers as Record<string, JsonObject>).aws.version;
      // On failure, what Terraform reported; a green run stays quiet.
      expect(json.provider_selections, `terraform version in ${done.dir}:\n${done.version.text}\nprovider installed as ${done.installedAs}`).toEqual({ [AWS_PROVIDER_ADDRESS]: pinned });
    }, 300_000);

    test("terraform finds the configuration valid (the plan's validation)", async () => {
      const { diagnostics } = (await run(name)).shared;
      const own = [moduleName(name, "json"), moduleName(name, "hcl")];
      // This stack's modules' diagnostics, and those Terraform places nowhere.
      for (const warning of diagnostics.filter((diagnostic) => !diagnostic.range || own.includes(diagnostic.range.filename.split("/")[0]))) {
        console.warn(`[terraform] ${name}: plan ${warning.severity}: ${warning.summary}`);
      }
      expect(diagnostics.filter((diagnostic) => diagnostic.severity === "error")).toEqual([]);
    }, 300_000);

    test("terraform plan creates every AWS (and built-in terraform_data) resource of the stack and nothing else", async () => {
      const planView = await view(name);
      const expected = Object.entries(planView.awsPart.config.resource as Record<string, JsonObject>).flatMap(([type, byName]) =>
        Object.keys(byName).map((resource) => `${type}.${resource}`),
      );
      expect(planView.managedChanges.map((change) => change.address).sort()).toEqual(expected.sort());
      for (const change of planView.managedChanges) {
        expect(change.change.actions, change.address).toEqual(["create"]);
        expect(change.provider_name, change.address).toBe(change.type === "terraform_data" ? BUILTIN_TERRAFORM_PROVIDER : AWS_PROVIDER_ADDRESS);
      }
    }, 300_000);

    test("every taggable AWS resource carries the stack's default tags", async () => {
      const planView = await view(name);
      const { config } = planView;
      const tagged = planView.managedChanges.filter((change) => change.change.after && "tags_all" in change.change.after);
      expect(tagged.length).toBeGreaterThan(0);
      for (const change of tagged) {
        expect(planView.after(change).tags_all, change.address).toMatchObject({ Environment: config.environment, Project: config.atlas.projectName });
      }
    }, 300_000);

    test("terraform show -json of the plan holds a password or a URI with credentials only in password mode", async () => {
      const planView = await view(name);
      const found = credentialsIn(JSON.stringify(planView.plan));
      if (planView.config.database.authentication === "aws-iam") {
        expect(found).toEqual([]);
      } else {
        // The positive control: the same scan finds the (fake) password the plan of a password-mode stack carries.
        expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/password/i), expect.stringMatching(/^mongodb\+srv:\/\/[^@]+:/)]));
      }
    }, 300_000);

    for (const [type, checks] of Object.entries(CHECKS_BY_TYPE)) {
      describe(type, () => {
        for (const { name: checkName, check } of checks) {
          test(checkName, async () => check(await view(name)), 300_000);
        }
      });
    }
  });
});

describe.skipIf(!fullValidateRequested || !registry?.available)("real Terraform, with the registry: full validate of the unmodified stacks (TF_FULL_VALIDATE=1)", () => {
  const workspaces = new Map<string, TerraformWorkspace>();
  let ownCache: string | undefined;

  let stacks: SynthesizedStack[] | undefined;
  let synthError: unknown;

  beforeAll(() => {
    if (!registry?.available) return;
    // A plugin cache: TF_PLUGIN_CACHE_DIR when set (kept), else a temp one for this run.
    ownCache = process.env.TF_PLUGIN_CACHE_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), "tf-plugin-cache-"));
    try {
      stacks = synthesizeStacks();
    } catch (error) {
      synthError = error;
    }
  });

  afterAll(() => {
    for (const workspace of workspaces.values()) workspace.dispose();
    if (ownCache) fs.rmSync(ownCache, { recursive: true, force: true });
  });

  // Tests run one after another: the first stack's init fills the plugin cache the second one uses.
  test.each(STACK_NAMES.map((name) => [name]))("%s: terraform init + validate of the whole stack (aws, mongodbatlas, random)", async (name) => {
    if (synthError) throw synthError;
    const stack = stacks?.find((candidate) => candidate.name === name);
    if (!stack || !registry?.available) throw new Error(`stack ${name} was not synthesized`);
    const workspace = TerraformWorkspace.create({
      name: `${name}-full`,
      terraform: registry.terraform,
      installation: { kind: "registry", mirror: registry.mirror || undefined, pluginCacheDir: process.env.TF_PLUGIN_CACHE_DIR ?? ownCache },
      files: { "main.tf.json": stack.json },
      timeouts: { init: 600_000 },
    });
    workspaces.set(name, workspace);
    await workspace.init();
    const { diagnostics } = await workspace.validate();
    for (const warning of diagnostics) console.warn(`[terraform] ${name}: full validate ${warning.severity}: ${warning.summary}`);
    expect(diagnostics.filter((diagnostic) => diagnostic.severity === "error")).toEqual([]);
  }, 720_000);
});
