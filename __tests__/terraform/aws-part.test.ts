/*
 * Unit tests of the AWS-part transformation (no terraform needed).
 */
import { fakeAlphanumeric, referencesTo, toAwsPart, type JsonObject, type TerraformJson } from "../support/aws-part";
import { synthesizeStacks } from "./synthesized-stacks";

const meta = { "//": { metadata: { path: "x", uniqueId: "x" } } };

/** A small stack in cdktf's shape with the same kinds of cross-provider references as ours. */
function fixture(): TerraformJson {
  return {
    "//": { metadata: { stackName: "audio-pipeline-test", backend: "s3" } },
    terraform: {
      required_version: ">= 1.10",
      backend: { s3: { bucket: "state", key: "k", region: "us-east-1" } },
      required_providers: {
        aws: { source: "aws", version: "5.100.0" },
        mongodbatlas: { source: "mongodb/mongodbatlas", version: "1.41.1" },
        random: { source: "hashicorp/random", version: "3.7.2" },
      },
    },
    provider: {
      aws: [{ region: "eu-west-1", default_tags: [{ tags: { Environment: "test" } }] }],
      mongodbatlas: [{}],
      random: [{}],
    },
    variable: {
      atlas_org_id: { type: "string", nullable: false },
      owner: { type: "string", default: "team" },
    },
    locals: {
      srv_strings:
        "${[for endpoint in flatten(mongodbatlas_advanced_cluster.cluster.connection_strings[*].private_endpoint) : endpoint.srv_connection_string if contains(endpoint.endpoints[*].endpoint_id, aws_vpc_endpoint.endpoint.id)]}",
      endpoint_label: "${aws_vpc_endpoint.endpoint.id}-label",
      first_srv: "${element(local.srv_strings, 0)}",
    },
    resource: {
      mongodbatlas_project: { project: { ...meta, name: "p", org_id: "${var.atlas_org_id}" } },
      mongodbatlas_privatelink_endpoint: {
        atlas_endpoint: { ...meta, project_id: "${mongodbatlas_project.project.id}", provider_name: "AWS", region: "EU_WEST_1" },
      },
      mongodbatlas_advanced_cluster: {
        cluster: { ...meta, name: "audio-pipeline-test", project_id: "${mongodbatlas_project.project.id}" },
      },
      mongodbatlas_database_user: {
        app_user: { ...meta, username: "app", password: "${random_password.database_password.result}" },
      },
      random_password: { database_password: { ...meta, length: 32, special: false } },
      aws_security_group: {
        endpoint_group: { ...meta, name: "sg", vpc_id: "vpc-0123", description: "mongodbatlas_project.project is only text here" },
      },
      aws_vpc_endpoint: {
        endpoint: {
          ...meta,
          service_name: "${mongodbatlas_privatelink_endpoint.atlas_endpoint.endpoint_service_name}",
          vpc_endpoint_type: "Interface",
          security_group_ids: ["${aws_security_group.endpoint_group.id}"],
          depends_on: ["mongodbatlas_project.project", "aws_security_group.endpoint_group"],
        },
      },
      aws_secretsmanager_secret_version: {
        value: {
          ...meta,
          secret_id: "secret",
          secret_string:
            '${jsonencode({"uri" = "mongodb+srv://${mongodbatlas_database_user.app_user.username}:${urlencode(random_password.database_password.result)}@${replace(element(local.srv_strings, 0), "mongodb+srv://", "")}/db", "username" = mongodbatlas_database_user.app_user.username, "cluster" = mongodbatlas_advanced_cluster.cluster.name})}',
          depends_on: ["random_password.database_password"],
          lifecycle: {
            precondition: [{ condition: "${(length(local.srv_strings) == 1)}", error_message: "need exactly one" }],
            replace_triggered_by: ["mongodbatlas_advanced_cluster.cluster", "aws_vpc_endpoint.endpoint"],
          },
        },
      },
    },
    output: {
      endpoint_id: { value: "${aws_vpc_endpoint.endpoint.id}", description: "aws only" },
      names: { value: ["a", "b"] },
      project_id: { value: "${mongodbatlas_project.project.id}" },
      srv_host: { value: '${replace(element(local.srv_strings, 0), "mongodb+srv://", "")}' },
      label: { value: "${local.endpoint_label}" },
    },
  };
}

const resources = (config: TerraformJson) => config.resource as Record<string, Record<string, JsonObject>>;
const variables = (config: TerraformJson) => config.variable as Record<string, JsonObject>;

describe("toAwsPart", () => {
  const input = fixture();
  const { config, standIns, removed, variablesWithoutDefault } = toAwsPart(input);
  const standIn = (replaces: string) => {
    const found = standIns.find((item) => item.replaces === replaces);
    if (!found) throw new Error(`no stand-in for ${replaces}; have ${standIns.map((item) => item.replaces).join(", ")}`);
    return found;
  };

  test("does not modify its input", () => {
    expect(input).toEqual(fixture());
  });

  test("keeps aws resources, the aws provider, aws-only outputs and every variable as they are", () => {
    expect(Object.keys(resources(config)).sort()).toEqual(["aws_secretsmanager_secret_version", "aws_security_group", "aws_vpc_endpoint"]);
    expect(resources(config).aws_security_group).toEqual(resources(input).aws_security_group);
    expect(config.provider).toEqual({ aws: (input.provider as JsonObject).aws });
    const output = config.output as Record<string, JsonObject>;
    expect(output.endpoint_id).toEqual((input.output as JsonObject).endpoint_id);
    expect(output.names).toEqual({ value: ["a", "b"] });
    for (const [name, body] of Object.entries(input.variable as JsonObject)) expect(variables(config)[name]).toEqual(body);
    expect(variablesWithoutDefault).toEqual(["atlas_org_id"]);
  });

  test("removes the other providers' resources, provider blocks, required_providers and the backend", () => {
    expect([...removed.resources].sort()).toEqual([
      "mongodbatlas_advanced_cluster.cluster",
      "mongodbatlas_database_user.app_user",
      "mongodbatlas_privatelink_endpoint.atlas_endpoint",
      "mongodbatlas_project.project",
      "random_password.database_password",
    ]);
    expect(removed.providers).toEqual(["mongodbatlas", "random"]);
    expect(config.terraform).toEqual({ required_version: ">= 1.10", required_providers: { aws: { source: "aws", version: "5.100.0" } } });
    expect(removed.backend).toBe("s3");
  });

  test("replaces a plain reference by a typed variable with a realistic default", () => {
    const serviceName = standIn("mongodbatlas_privatelink_endpoint.atlas_endpoint.endpoint_service_name");
    expect(serviceName).toMatchObject({
      name: "standin__mongodbatlas_privatelink_endpoint__atlas_endpoint__endpoint_service_name",
      type: "string",
      // The Atlas region spelling (EU_WEST_1) becomes the AWS one in the service name.
      default: "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0",
    });
    expect(resources(config).aws_vpc_endpoint.endpoint.service_name).toBe(`\${var.${serviceName.name}}`);
    expect(variables(config)[serviceName.name]).toMatchObject({ type: "string", default: serviceName.default, nullable: false });
  });

  test("replaces references inside jsonencode and nested template strings, once per expression", () => {
    const username = standIn("mongodbatlas_database_user.app_user.username");
    const password = standIn("random_password.database_password.result");
    const cluster = standIn("mongodbatlas_advanced_cluster.cluster.name");
    const srv = standIn("local.srv_strings");
    expect(resources(config).aws_secretsmanager_secret_version.value.secret_string).toBe(
      `\${jsonencode({"uri" = "mongodb+srv://\${var.${username.name}}:\${urlencode(var.${password.name})}@\${replace(element(var.${srv.name}, 0), "mongodb+srv://", "")}/db", "username" = var.${username.name}, "cluster" = var.${cluster.name}})}`,
    );
    expect(standIns.filter((item) => item.replaces === username.replaces)).toHaveLength(1);
  });

  test("uses a removed resource's own literal argument as the stand-in when it has one", () => {
    expect(standIn("mongodbatlas_database_user.app_user.username")).toMatchObject({ type: "string", default: "app" });
    expect(standIn("mongodbatlas_advanced_cluster.cluster.name")).toMatchObject({ type: "string", default: "audio-pipeline-test" });
  });

  test("stands in for a generated password with an obviously fake, sensitive alphanumeric value of the configured length", () => {
    const password = standIn("random_password.database_password.result");
    expect(password.default).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(password.default).toMatch(/Fake/);
    expect(password.default).toMatch(/[A-Z].*[A-Z]/);
    expect(password.default).toMatch(/\d.*\d/);
    expect(password.sensitive).toBe(true);
    expect(variables(config)[password.name].sensitive).toBe(true);
    expect(fakeAlphanumeric(8)).toHaveLength(8);
  });

  test("replaces a local that mixes Atlas and AWS references by a list(string) variable, everywhere it is used", () => {
    const srv = standIn("local.srv_strings");
    expect(srv).toMatchObject({
      name: "standin__local__srv_strings",
      type: "list(string)",
      default: ["mongodb+srv://audio-pipeline-test-pl-0.abcde.mongodb.net"],
    });
    expect(removed.locals).toEqual(["srv_strings"]);
    expect(config.locals).toEqual({
      endpoint_label: "${aws_vpc_endpoint.endpoint.id}-label",
      first_srv: `\${element(var.${srv.name}, 0)}`,
    });
  });

  test("keeps a precondition on a replaced local working through the stand-in", () => {
    const lifecycle = resources(config).aws_secretsmanager_secret_version.value.lifecycle as JsonObject;
    expect(lifecycle.precondition).toEqual([{ condition: "${(length(var.standin__local__srv_strings) == 1)}", error_message: "need exactly one" }]);
  });

  test("drops outputs that depend on removed resources, directly or through a replaced local; keeps the rest", () => {
    expect([...removed.outputs].sort()).toEqual(["project_id", "srv_host"]);
    expect(Object.keys(config.output as JsonObject).sort()).toEqual(["endpoint_id", "label", "names"]);
  });

  test("removes depends_on and replace_triggered_by entries that name removed resources", () => {
    expect(resources(config).aws_vpc_endpoint.endpoint.depends_on).toEqual(["aws_security_group.endpoint_group"]);
    const version = resources(config).aws_secretsmanager_secret_version.value;
    expect(version).not.toHaveProperty("depends_on");
    expect((version.lifecycle as JsonObject).replace_triggered_by).toEqual(["aws_vpc_endpoint.endpoint"]);
    expect([...removed.dependencies].sort()).toEqual([
      "aws_secretsmanager_secret_version.value: mongodbatlas_advanced_cluster.cluster",
      "aws_secretsmanager_secret_version.value: random_password.database_password",
      "aws_vpc_endpoint.endpoint: mongodbatlas_project.project",
    ]);
  });

  test("leaves for-expression variables and plain text alone, and no reference to a removed resource behind", () => {
    expect(resources(config).aws_security_group.endpoint_group.description).toBe("mongodbatlas_project.project is only text here");
    expect(referencesTo(config, removed.resources)).toEqual([]);
    expect(referencesTo(input, removed.resources).length).toBeGreaterThan(0);
  });

  test("fails, naming the reference, when a removed attribute has no stand-in", () => {
    const stack = fixture();
    (resources(stack).aws_vpc_endpoint.endpoint as JsonObject).policy = "${mongodbatlas_project.project.cluster_count}";
    expect(() => toAwsPart(stack)).toThrow(/mongodbatlas_project\.project\.cluster_count .*ATTRIBUTE_STAND_INS/);
  });

  test("fails, naming the local, when a local on removed resources has no stand-in", () => {
    const stack = fixture();
    (stack.locals as JsonObject).project = "${mongodbatlas_project.project.id}";
    expect(() => toAwsPart(stack)).toThrow(/local\.project .*LOCAL_STAND_INS/);
  });

  test("accepts extra stand-in rules", () => {
    const stack = fixture();
    (resources(stack).aws_vpc_endpoint.endpoint as JsonObject).policy = "${mongodbatlas_project.project.cluster_count}";
    const result = toAwsPart(stack, { attributeStandIns: { "mongodbatlas_project.cluster_count": () => ({ type: "number", default: 1 }) } });
    expect(result.standIns.find((item) => item.replaces === "mongodbatlas_project.project.cluster_count")).toMatchObject({ type: "number", default: 1 });
  });

  test("handles data sources of removed providers and index chains", () => {
    const stack = fixture();
    (stack as JsonObject).data = { mongodbatlas_project: { existing: { name: "p" } }, aws_caller_identity: { current: {} } };
    (resources(stack).aws_security_group.endpoint_group as JsonObject).name = "${data.mongodbatlas_project.existing.name}";
    (resources(stack).aws_security_group.endpoint_group as JsonObject).tags = {
      Srv: "${mongodbatlas_advanced_cluster.cluster.connection_strings[0].private_endpoint[0].srv_connection_string}",
    };
    const result = toAwsPart(stack);
    expect(result.config.data).toEqual({ aws_caller_identity: { current: {} } });
    expect(result.removed.resources).toContain("data.mongodbatlas_project.existing");
    const group = (result.config.resource as Record<string, Record<string, JsonObject>>).aws_security_group.endpoint_group;
    expect(group.name).toBe("${var.standin__data__mongodbatlas_project__existing__name}");
    expect(group.tags).toEqual({
      Srv: "${var.standin__mongodbatlas_advanced_cluster__cluster__connection_strings__0__private_endpoint__0__srv_connection_string}",
    });
    expect(result.standIns.find((item) => item.replaces.startsWith("mongodbatlas_advanced_cluster.cluster.connection_strings"))?.default).toBe(
      "mongodb+srv://audio-pipeline-test-pl-0.abcde.mongodb.net",
    );
  });
});

describe("toAwsPart on the synthesized stacks", () => {
  const stacks = synthesizeStacks();

  test.each(stacks.map((stack) => [stack.name, stack]))("%s: only aws remains, with the expected stand-ins", (_name, stack) => {
    const { config, standIns, removed } = toAwsPart(stack.json);
    expect(referencesTo(config, removed.resources)).toEqual([]);
    expect(Object.keys(config.provider as JsonObject)).toEqual(["aws"]);
    expect(config.locals).toBeUndefined();
    for (const type of Object.keys(config.resource as JsonObject)) expect(type).toMatch(/^aws_/);
    const byReplaces = Object.fromEntries(standIns.map((item) => [item.replaces, item]));
    expect(byReplaces["mongodbatlas_privatelink_endpoint.atlas_private_endpoint.endpoint_service_name"]).toMatchObject({
      type: "string",
      default: `com.amazonaws.vpce.${stack.config.region}.vpce-svc-0123456789abcdef0`,
    });
    expect(byReplaces["local.private_srv_connection_strings"]).toMatchObject({
      type: "list(string)",
      default: [`mongodb+srv://${stack.config.atlas.clusterName}-pl-0.abcde.mongodb.net`],
    });
    if (stack.config.database.authentication === "password") {
      expect(byReplaces["mongodbatlas_database_user.app_user.username"]).toMatchObject({ type: "string", default: stack.config.database.username });
      expect(byReplaces["random_password.database_password.result"]).toMatchObject({ type: "string", sensitive: true });
    } else {
      // The IAM user's name is its role ARN, a literal of the removed user; no password exists to stand in for.
      expect(byReplaces["mongodbatlas_database_user.app_iam_user.username"]).toMatchObject({ type: "string", default: stack.config.database.appRoleArn });
      expect(standIns.filter((item) => /password/.test(item.replaces))).toEqual([]);
    }
  });

  test.each(stacks.map((stack) => [stack.name, stack]))("%s: aws resources are as synthesized, but for the stand-ins", (_name, stack) => {
    const { config, standIns, removed } = toAwsPart(stack.json);
    const longestFirst = [...standIns].sort((a, b) => b.replaces.length - a.replaces.length);
    const expectedText = (text: string) =>
      longestFirst.reduce((result, standIn) => result.split(standIn.replaces).join(`var.${standIn.name}`), text);
    const original = stack.json.resource as Record<string, Record<string, JsonObject>>;
    const kept = config.resource as Record<string, Record<string, JsonObject>>;
    for (const [type, byName] of Object.entries(original).filter(([type]) => type.startsWith("aws_"))) {
      for (const [name, body] of Object.entries(byName)) {
        const expected = JSON.parse(expectedText(JSON.stringify(body))) as JsonObject;
        const prunedDependencies = removed.dependencies.filter((entry) => entry.startsWith(`${type}.${name}: `));
        if (Array.isArray(expected.depends_on)) {
          expected.depends_on = expected.depends_on.filter((entry) => !prunedDependencies.includes(`${type}.${name}: ${String(entry)}`));
          if (expected.depends_on.length === 0) delete expected.depends_on;
        }
        expect(kept[type][name], `${type}.${name}`).toEqual(expected);
      }
    }
    const outputs = stack.json.output as Record<string, JsonObject>;
    for (const [name, body] of Object.entries(config.output as Record<string, JsonObject>)) expect(body, name).toEqual(outputs[name]);
    expect(Object.keys(config.output as JsonObject).length + removed.outputs.length).toBe(Object.keys(outputs).length);
  });
});
