/*
 * Credentials of both authentication modes, the two-step switch of a deployed environment, the
 * key and secret policies, and encryption at rest with the stack's own key: rules checked on the
 * synthesized JSON of the committed files and of variants of them (each variant passes the same
 * config validation as a file would).
 */
import { AnnotationMetadataEntryType } from "cdktf";
import { resolveEnvironmentText } from "../../src/environment/resolve";
import { DATABASE_DEFAULTS } from "../../src/modules/database/variables";
import { DatabaseStack } from "../../src/stacks/database-stack";
import { atlasRegionName } from "../../src/atlas/regions";
import { committedConfigJson } from "../support/config-files";
import { committedEnvironment, resourceNamed, synthesizeEnvironment, type SynthesizedStack, type TerraformJson } from "../support/stacks";

type Config = Record<string, any>;

/** A committed file with changes, validated like a file (schema and rules), then synthesized. */
function variant(name: "dev" | "prod", change: (config: Config) => void): SynthesizedStack {
  const raw = committedConfigJson(name);
  change(raw);
  const { config, issues } = resolveEnvironmentText(JSON.stringify(raw), name);
  if (!config) throw new Error(`the ${name} variant is not valid: ${JSON.stringify(issues)}`);
  return synthesizeEnvironment({ file: `config/${name}.json`, config });
}

/** Policy and validation errors left on a synthesized stack. */
function errorsOf(stack: DatabaseStack): string[] {
  return stack.node
    .findAll()
    .flatMap((construct) => construct.node.metadata.filter((entry) => entry.type === AnnotationMetadataEntryType.ERROR).map((entry) => String(entry.data)));
}

/** Every resource address (type.name) of a stack. */
function addresses(json: TerraformJson): string[] {
  return Object.entries(json.resource)
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}

function body(json: TerraformJson, address: string): unknown {
  const [type, name] = address.split(".");
  return json.resource[type][name];
}

/** Addresses whose configuration differs between two stacks (present in both). */
function changed(before: TerraformJson, after: TerraformJson): string[] {
  const common = addresses(before).filter((address) => addresses(after).includes(address));
  return common.filter((address) => JSON.stringify(body(before, address)) !== JSON.stringify(body(after, address)));
}

const preventsDestroy = (json: TerraformJson, address: string) =>
  (body(json, address) as { lifecycle?: { prevent_destroy?: boolean } }).lifecycle?.prevent_destroy === true;

interface Statement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Principal: "*" | { AWS?: string | string[]; Service?: string };
  readonly Action: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}
const statementsOf = (policy: unknown): Statement[] => JSON.parse(String(policy)).Statement;
const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : ([] as string[]).concat(value));
const principalsOf = (statement: Statement): string[] => (statement.Principal === "*" ? ["*"] : list(statement.Principal.AWS));
const CRYPTOGRAPHIC = /^kms:(Encrypt|Decrypt|ReEncrypt.*|GenerateDataKey.*|GenerateMac|VerifyMac|Sign|Verify|CreateGrant|\*)$|^\*$/;

// The committed files: both in aws-iam mode (dev because pull requests plan it).
const dev = committedEnvironment("dev");
const prod = committedEnvironment("prod");
const devStack = synthesizeEnvironment(dev);
const prodStack = synthesizeEnvironment(prod);

// Password mode stays possible only where no pull request plans (production: true); the
// committed files are both aws-iam, so it is checked on prod in password mode.
const passwordMode = (config: Config) => {
  config.database = { name: config.database.name, authentication: "password", appRoleArn: config.database.appRoleArn, seederRoleArn: config.database.seederRoleArn };
};

describe("password mode (an environment no pull request plans)", () => {
  const passwordStack = variant("prod", passwordMode);
  const { json } = passwordStack;

  it("is refused where pull requests plan (production: false) and allowed where only main plans", () => {
    const devInPasswordMode = committedConfigJson("dev");
    devInPasswordMode.database.authentication = "password";
    const { issues } = resolveEnvironmentText(JSON.stringify(devInPasswordMode), "dev");
    expect(issues.map((issue) => issue.path.join("."))).toEqual(["database.authentication"]);
    expect(dev.config.production).toBe(false);
    expect(dev.config.database.authentication).toBe("aws-iam");
  });

  it("keeps today's users and passwords at today's addresses, with no keepers at password version 1", () => {
    expect(Object.keys(json.resource.mongodbatlas_database_user).sort()).toEqual(["app_user", "seeder_user"]);
    expect(Object.keys(json.resource.random_password).sort()).toEqual(["database_password", "seeder_password"]);
    for (const password of Object.values(json.resource.random_password)) expect(password).not.toHaveProperty("keepers");
    expect(resourceNamed(json, "mongodbatlas_database_user", "app_user")).toMatchObject({
      // No database.username in the file: the module's default name.
      username: DATABASE_DEFAULTS.database.username,
      password: "${random_password.database_password.result}",
      auth_database_name: "admin",
    });
  });

  it("writes the password URI, the username and the mode into each secret", () => {
    const value = String(resourceNamed(json, "aws_secretsmanager_secret_version", "connection_secret_value").secret_string);
    expect(value).toContain('"uri" = "mongodb+srv://${mongodbatlas_database_user.app_user.username}:${urlencode(random_password.database_password.result)}@');
    expect(value).toContain('"username" = mongodbatlas_database_user.app_user.username');
    expect(value).toContain('"authentication" = "password"');
    expect(value).not.toContain("MONGODB-AWS");
    const seeder = String(resourceNamed(json, "aws_secretsmanager_secret_version", "seeder_connection_secret_value").secret_string);
    expect(seeder).toContain("${urlencode(random_password.seeder_password.result)}@");
  });

  it("rotates both passwords when database.passwordVersion is raised, and changes nothing else but what they feed", () => {
    const rotated = variant("prod", (config) => {
      passwordMode(config);
      config.database.passwordVersion = 2;
    }).json;
    for (const name of ["database_password", "seeder_password"]) {
      expect(resourceNamed(rotated, "random_password", name).keepers).toEqual({ password_version: "2" });
    }
    // The users and secret versions refer to the passwords: Terraform updates them; their configuration is the same.
    expect(changed(json, rotated)).toEqual(["random_password.database_password", "random_password.seeder_password"]);
  });
});

describe("aws-iam mode (config/prod.json)", () => {
  const { json, synth } = prodStack;

  it("has no password anywhere in the synthesized stack", () => {
    expect(prod.config.database.authentication).toBe("aws-iam");
    expect(synth).not.toMatch(/password/i);
    expect(synth).not.toMatch(/mongodb(\+srv)?:\/\/[^"/]*@/);
  });

  it("names the IAM users after the configured roles, at addresses of their own", () => {
    expect(Object.keys(json.resource.mongodbatlas_database_user).sort()).toEqual(["app_iam_user", "seeder_iam_user"]);
    expect(resourceNamed(json, "mongodbatlas_database_user", "app_iam_user").username).toBe(prod.config.database.appRoleArn);
    expect(resourceNamed(json, "mongodbatlas_database_user", "seeder_iam_user").username).toBe(prod.config.database.seederRoleArn);
  });
});

describe("switching a deployed environment from password to aws-iam, in two steps", () => {
  // Step 0 is prod as it was deployed before the switch; steps 1 and 2 are the documented changes.
  const step0 = variant("prod", (config) => {
    config.database = { name: config.database.name, authentication: "password", appRoleArn: config.database.appRoleArn, seederRoleArn: config.database.seederRoleArn };
  });
  const step1 = variant("prod", (config) => (config.database.retainPasswordUsers = true));
  const step2 = prodStack;
  const PASSWORD_USERS = ["mongodbatlas_database_user.app_user", "mongodbatlas_database_user.seeder_user"];
  const PASSWORDS = ["random_password.database_password", "random_password.seeder_password"];
  const IAM_USERS = ["mongodbatlas_database_user.app_iam_user", "mongodbatlas_database_user.seeder_iam_user"];
  const SECRET_VERSIONS = ["aws_secretsmanager_secret_version.connection_secret_value", "aws_secretsmanager_secret_version.seeder_connection_secret_value"];

  it.each([
    ["step 0 (password)", step0],
    ["step 1 (aws-iam, password users retained)", step1],
    ["step 2 (aws-iam)", step2],
  ])("%s passes every policy rule of production", (_name, step) => {
    expect(errorsOf(step.stack)).toEqual([]);
  });

  it("step 1 only adds the IAM users and points the secrets at them: the password users and passwords stay untouched", () => {
    expect(addresses(step1.json).filter((address) => !addresses(step0.json).includes(address))).toEqual(IAM_USERS);
    expect(addresses(step0.json).filter((address) => !addresses(step1.json).includes(address))).toEqual([]);
    expect(changed(step0.json, step1.json)).toEqual(SECRET_VERSIONS);
    for (const address of [...PASSWORD_USERS, ...IAM_USERS]) expect(preventsDestroy(step1.json, address), address).toBe(true);
    expect(JSON.stringify(body(step1.json, SECRET_VERSIONS[0]))).toContain("mongodbatlas_database_user.app_iam_user.username");
  });

  it("step 2 only removes the password users and their passwords, which takes their prevent_destroy with them", () => {
    expect(addresses(step1.json).filter((address) => !addresses(step2.json).includes(address))).toEqual([...PASSWORD_USERS, ...PASSWORDS].sort());
    expect(addresses(step2.json).filter((address) => !addresses(step1.json).includes(address))).toEqual([]);
    expect(changed(step1.json, step2.json)).toEqual([]);
  });

  it("never changes a user in place: a password user never becomes an IAM user at the same address", () => {
    for (const address of PASSWORD_USERS) expect(body(step1.json, address)).toEqual(body(step0.json, address));
    for (const address of IAM_USERS) expect(body(step2.json, address)).toEqual(body(step1.json, address));
  });
});

describe("key and secret policies (config/prod.json)", () => {
  const { json } = prodStack;
  const { config } = prod;
  const readers = { app: config.database.appRoleArn, seeder: config.database.seederRoleArn };
  const terraform = [config.ci.deployRoleArn, config.ci.planRoleArn];
  const root = `arn:aws:iam::${config.aws.accountId}:root`;
  const viaSecretsManager = `secretsmanager.${config.region}.amazonaws.com`;

  describe.each(["connection_secret_key", "atlas_encryption_key"])("aws_kms_key.%s", (name) => {
    // Read inside each test, so that a missing key fails these tests rather than the whole file.
    const keyStatements = () => statementsOf(resourceNamed(json, "aws_kms_key", name).policy);

    it("lets the account root administer the key and never use it, and grants kms:* to no one", () => {
      const statements = keyStatements();
      const rootActions = statements.filter((statement) => principalsOf(statement).includes(root)).flatMap((statement) => list(statement.Action as string[]));
      expect(rootActions).toContain("kms:PutKeyPolicy");
      expect(rootActions.filter((action) => CRYPTOGRAPHIC.test(action))).toEqual([]);
      expect(statements.flatMap((statement) => list(statement.Action as string[]))).not.toContain("kms:*");
      expect(statements.filter((statement) => principalsOf(statement).includes("*"))).toEqual([]);
    });

    it("lets the deploy role change the key and its policy later (no lock-out), and the plan role read it", () => {
      const statements = keyStatements();
      const actionsOf = (principal: string) =>
        statements.filter((statement) => principalsOf(statement).includes(principal)).flatMap((statement) => list(statement.Action as string[]));
      expect(actionsOf(config.ci.deployRoleArn)).toEqual(expect.arrayContaining(["kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource"]));
      expect(actionsOf(config.ci.planRoleArn)).toEqual(expect.arrayContaining(["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"]));
      expect(actionsOf(config.ci.planRoleArn)).not.toContain("kms:PutKeyPolicy");
    });
  });

  it("lets exactly the secrets' readers decrypt, only through Secrets Manager in the stack's region, each only its own secret", () => {
    const statements = statementsOf(resourceNamed(json, "aws_kms_key", "connection_secret_key").policy);
    const using = statements.filter((statement) => list(statement.Action as string[]).some((action) => CRYPTOGRAPHIC.test(action)));
    const secretPattern = (secret: string) => `arn:aws:secretsmanager:${config.region}:${config.aws.accountId}:secret:${secret}-??????`;
    for (const statement of using) {
      expect(statement.Condition?.StringEquals?.["kms:ViaService"], statement.Sid).toBe(viaSecretsManager);
    }
    const decryptFor = (principal: string) =>
      using
        .filter((statement) => principalsOf(statement).includes(principal) && list(statement.Action as string[]).includes("kms:Decrypt"))
        .flatMap((statement) => list(statement.Condition?.StringLike?.["kms:EncryptionContext:SecretARN"]));
    expect(decryptFor(readers.app)).toEqual([secretPattern(config.connectionSecret.name)]);
    expect(decryptFor(readers.seeder)).toEqual([secretPattern(config.connectionSecret.seederName)]);
    for (const role of terraform) {
      expect(decryptFor(role).sort()).toEqual([secretPattern(config.connectionSecret.name), secretPattern(config.connectionSecret.seederName)].sort());
    }
    expect(new Set(using.flatMap(principalsOf))).toEqual(new Set([readers.app, readers.seeder, ...terraform]));
    const generators = using.filter((statement) => list(statement.Action as string[]).includes("kms:GenerateDataKey"));
    expect(generators.flatMap(principalsOf)).toEqual([config.ci.deployRoleArn]);
  });

  it.each([
    ["connection_secret", "app"],
    ["seeder_connection_secret", "seeder"],
  ] as const)("denies GetSecretValue on %s to everyone but its reader and the Terraform roles", (secret, reader) => {
    const policies = Object.values(json.resource.aws_secretsmanager_secret_policy).filter(
      (policy) => policy.secret_arn === `\${aws_secretsmanager_secret.${secret}.arn}`,
    );
    expect(policies).toHaveLength(1);
    expect(policies[0].block_public_policy).toBe(true);
    const statements = statementsOf(policies[0].policy).filter((statement) => list(statement.Action).includes("secretsmanager:GetSecretValue"));
    expect(statements).toEqual([
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }),
    ]);
    expect(list(statements[0].Condition?.ArnNotEquals?.["aws:PrincipalArn"]).sort()).toEqual([readers[reader], ...terraform].sort());
  });
});

describe("encryption at rest with the stack's own key", () => {
  const { json } = prodStack;
  const { config } = prod;

  it("is on in prod (atlas.encryptionAtRest defaults to production) and wired as the provider documents", () => {
    expect(config.atlas.encryptionAtRest).toBe(true);
    const encryption = resourceNamed(json, "mongodbatlas_encryption_at_rest", "encryption_at_rest");
    expect(encryption.aws_kms_config).toEqual([
      {
        enabled: true,
        customer_master_key_id: "${aws_kms_key.atlas_encryption_key.key_id}",
        region: atlasRegionName(config.region),
        role_id: "${mongodbatlas_cloud_provider_access_authorization.atlas_encryption_access_authorization.role_id}",
      },
    ]);
    expect(encryption.depends_on).toEqual(
      expect.arrayContaining([
        "mongodbatlas_cloud_provider_access_setup.atlas_encryption_access",
        "mongodbatlas_cloud_provider_access_authorization.atlas_encryption_access_authorization",
      ]),
    );
    const cluster = resourceNamed(json, "mongodbatlas_advanced_cluster", "cluster");
    expect(cluster.encryption_at_rest_provider).toBe("AWS");
    expect(cluster.depends_on).toContain("mongodbatlas_encryption_at_rest.encryption_at_rest");
  });

  it("uses a rotating key (every 90 days, Atlas's reminder) that only Atlas's own role may use, protected from destroy", () => {
    const key = resourceNamed(json, "aws_kms_key", "atlas_encryption_key");
    expect(key).toMatchObject({ enable_key_rotation: true, rotation_period_in_days: 90, lifecycle: { prevent_destroy: true } });
    const role = resourceNamed(json, "aws_iam_role", "atlas_encryption_role");
    const atlasRole = `arn:aws:iam::${config.aws.accountId}:role/${String(role.name)}`;
    const using = statementsOf(key.policy).filter((statement) => list(statement.Action as string[]).some((action) => CRYPTOGRAPHIC.test(action)));
    expect(using.map((statement) => [principalsOf(statement), list(statement.Action as string[]).sort()])).toEqual([
      [[atlasRole], ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt"]],
    ]);
    // KMS refuses a policy naming a role that does not exist yet.
    expect(key.depends_on).toContain("aws_iam_role.atlas_encryption_role");
    for (const address of ["aws_iam_role.atlas_encryption_role", "mongodbatlas_encryption_at_rest.encryption_at_rest"]) {
      expect(preventsDestroy(json, address), address).toBe(true);
    }
  });

  it("gives Atlas a role of its own for the key, trusted only with this purpose's external id, authorized after IAM propagation", () => {
    const trust = String(resourceNamed(json, "aws_iam_role", "atlas_encryption_role").assume_role_policy);
    expect(trust).toContain("mongodbatlas_cloud_provider_access_setup.atlas_encryption_access.aws_config[0].atlas_assumed_role_external_id");
    expect(resourceNamed(json, "mongodbatlas_cloud_provider_access_authorization", "atlas_encryption_access_authorization").depends_on).toEqual([
      "terraform_data.atlas_encryption_role_propagation",
    ]);
    expect(resourceNamed(json, "terraform_data", "atlas_encryption_role_propagation").depends_on).toEqual(
      expect.arrayContaining(["aws_iam_role.atlas_encryption_role", "aws_kms_key.atlas_encryption_key"]),
    );
  });

  it("is off in dev unless opted in, and then without prevent_destroy (dev has no termination protection)", () => {
    expect(dev.config.atlas.encryptionAtRest).toBe(false);
    expect(devStack.json.resource.mongodbatlas_encryption_at_rest).toBeUndefined();
    expect(resourceNamed(devStack.json, "mongodbatlas_advanced_cluster", "cluster")).not.toHaveProperty("encryption_at_rest_provider");
    expect(Object.keys(devStack.json.resource.aws_kms_key)).not.toContain("atlas_encryption_key");
    const optedIn = variant("dev", (config) => (config.atlas.encryptionAtRest = true)).json;
    expect(resourceNamed(optedIn, "mongodbatlas_advanced_cluster", "cluster").encryption_at_rest_provider).toBe("AWS");
    expect(preventsDestroy(optedIn, "aws_kms_key.atlas_encryption_key")).toBe(false);
  });
});
