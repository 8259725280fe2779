/*
 * One resolved environment (src/environment/): every name and role computed once from the file,
 * prod's legacy names kept by the override rather than by values in config/prod.json, and the
 * connection-secret contract shared by the writer and the readers.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { connectionSecretValue, readableConnectionSecret } from "../../src/modules/database/connection-secret-value";
import { LEGACY_NAMES } from "../../src/environment/legacy-names";
import { derivedNames, GITHUB_ENVIRONMENT_SUFFIXES, stackName } from "../../src/environment/names";
import { resolveEnvironment, resolveEnvironments } from "../../src/environment/resolve";
import { committedConfigJson, writeConfigFile } from "../support/config-files";
import { temporaryDirectory } from "../support/temporary-directory";

const committed = resolveEnvironments("config");

describe.each(committed.map((environment) => [environment.file, environment] as const))("%s resolved", (_file, environment) => {
  const { config, names, roles } = environment;
  const legacy = LEGACY_NAMES[config.environment] ?? {};
  const raw = committedConfigJson(config.environment);

  it("has the names its file gives, else its legacy names, else audio-pipeline-<environment> ones", () => {
    const derived = derivedNames(config.environment);
    expect(names.stack).toBe(stackName(config.environment));
    expect(names.atlasProject).toBe(raw.atlas?.projectName ?? legacy.atlasProject ?? derived.atlasProject);
    expect(names.atlasCluster).toBe(raw.atlas?.clusterName ?? legacy.atlasCluster ?? derived.atlasCluster);
    expect(names.appSecret).toBe(raw.connectionSecret?.name ?? legacy.appSecret ?? derived.appSecret);
    expect(names.seederSecret).toBe(raw.connectionSecret?.seederName ?? legacy.seederSecret ?? derived.seederSecret);
    expect(names.stateKey).toBe(config.state ? (raw.state?.key ?? legacy.stateKey ?? derived.stateKey) : undefined);
  });

  it("gives the config the same names the stack and the scripts read", () => {
    expect([config.atlas.projectName, config.atlas.clusterName, config.connectionSecret.name, config.connectionSecret.seederName, config.state?.key]).toEqual([
      names.atlasProject,
      names.atlasCluster,
      names.appSecret,
      names.seederSecret,
      names.stateKey,
    ]);
  });

  it("has one GitHub environment per purpose, <environment>-<purpose>, all different", () => {
    const github = Object.values(names.github);
    expect(Object.keys(names.github)).toEqual(Object.keys(GITHUB_ENVIRONMENT_SUFFIXES));
    expect(new Set(github).size).toBe(github.length);
    for (const name of github) expect(name.startsWith(`${config.environment}-`)).toBe(true);
  });

  it("has its roles from the fields that name them, each a different role", () => {
    expect(roles).toEqual({
      plan: config.ci.planRoleArn,
      deploy: config.ci.deployRoleArn,
      seed: config.database.seederRoleArn,
      app: config.database.appRoleArn,
      ...(config.ci.breakGlassRoleArn ? { breakGlass: config.ci.breakGlassRoleArn } : {}),
    });
    const arns = [roles.plan, roles.deploy, roles.seed, roles.app, ...(roles.breakGlass ? [roles.breakGlass] : [])];
    expect(new Set(arns).size).toBe(arns.length);
  });
});

describe("prod's legacy names", () => {
  const prod = committed.find(({ config }) => config.environment === "prod")!;

  it("are the story's names: Atlas project audio-pipeline, secrets audio-pipeline/mongodb-uri and audio-pipeline/mongodb-seed-uri", () => {
    expect([prod.names.atlasProject, prod.names.appSecret, prod.names.seederSecret]).toEqual(["audio-pipeline", "audio-pipeline/mongodb-uri", "audio-pipeline/mongodb-seed-uri"]);
  });

  it("come from the legacy override, not from values in config/prod.json that a tidy-up could delete", () => {
    const raw = committedConfigJson("prod");
    expect([raw.atlas?.projectName, raw.connectionSecret?.name, raw.connectionSecret?.seederName]).toEqual([undefined, undefined, undefined]);
  });

  it("give way to a name written in the file, and to no one else: another environment derives its own", () => {
    const directory = temporaryDirectory("legacy-names");
    try {
      const renamed = committedConfigJson("prod");
      renamed.connectionSecret = { ...renamed.connectionSecret, name: "audio-pipeline-prod/mongodb-uri" };
      const prod = resolveEnvironment(writeConfigFile(directory, "prod", renamed));
      expect([prod.names.appSecret, prod.names.seederSecret]).toEqual(["audio-pipeline-prod/mongodb-uri", "audio-pipeline/mongodb-seed-uri"]);
      const copy: Record<string, any> = { ...committedConfigJson("prod"), environment: "prod2" };
      delete copy.atlas.clusterName;
      delete copy.state.key;
      const other = resolveEnvironment(writeConfigFile(directory, "prod2", copy));
      expect(other.names).toMatchObject({ atlasProject: "audio-pipeline-prod2", atlasCluster: "audio-pipeline-prod2", appSecret: "audio-pipeline-prod2/mongodb-uri", stateKey: "audio-pipeline-prod2/terraform.tfstate" });
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("resolveEnvironments", () => {
  it("computes a directory once per run: the same files give the same frozen objects", () => {
    expect(resolveEnvironments("config")).toBe(committed);
    expect(Object.isFrozen(committed[0].config.connectionSecret)).toBe(true);
    expect(() => {
      (committed[0].names as { stack: string }).stack = "other";
    }).toThrow(TypeError);
  });

  it("resolves a changed file again", () => {
    const directory = temporaryDirectory("resolve-again");
    try {
      const file = writeConfigFile(directory, "dev", committedConfigJson("dev"));
      const first = resolveEnvironments(directory);
      fs.writeFileSync(file, JSON.stringify({ ...committedConfigJson("dev"), region: "eu-west-1" }));
      const second = resolveEnvironments(directory);
      expect(second).not.toBe(first);
      expect(second[0].config.region).toBe("eu-west-1");
      expect(path.basename(second[0].file)).toBe("dev.json");
    } finally {
      fs.rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("the connection-secret contract", () => {
  const about = { database: "audio_pipeline", environment: "dev", cluster: "audio-pipeline-dev" };
  const password = { uri: "mongodb+srv://u:p@h/audio_pipeline", username: "u", ...about, authentication: "password" };
  const awsIam = { uri: "mongodb+srv://h/audio_pipeline?authMechanism=MONGODB-AWS", authentication: "aws-iam", roleArn: "arn:aws:iam::123456789012:role/app", ...about };

  it("is what the stack writes in each mode, and every reader accepts it", () => {
    for (const value of [password, awsIam]) {
      expect(connectionSecretValue.parse(value)).toEqual(value);
      expect(readableConnectionSecret.safeParse(value).success).toBe(true);
    }
  });

  it("refuses a writer's value that misses a field its mode needs", () => {
    expect(connectionSecretValue.safeParse({ ...awsIam, roleArn: undefined }).success).toBe(false);
    expect(connectionSecretValue.safeParse({ ...password, username: undefined }).success).toBe(false);
    expect(connectionSecretValue.safeParse({ ...password, authentication: "iam" }).success).toBe(false);
  });
});

describe("the connection-secret contract, for the writer", () => {
  it("refuses a field the readers do not know, rather than dropping it", () => {
    const value = { uri: "mongodb+srv://h/d", authentication: "aws-iam", roleArn: "arn:aws:iam::123456789012:role/app", database: "d", environment: "dev", cluster: "c" };
    expect(connectionSecretValue.safeParse(value).success).toBe(true);
    expect(connectionSecretValue.safeParse({ ...value, port: "27017" }).success).toBe(false);
    expect(readableConnectionSecret.safeParse({ ...value, port: "27017" }).success).toBe(true);
  });
});
