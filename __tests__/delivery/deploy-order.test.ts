/*
 * The deploy order of the environments in config/ (.github/scripts/pipeline.ts): non-production
 * first, production last, unless ci.deployAfter says otherwise.
 */
import { deployOrder, pipelineEnvironments, type PipelineEnvironment } from "../../.github/scripts/pipeline";
import { ConfigError } from "../../src/config/config-issue";

describe("deploy order from config/", () => {
  const environment = (name: string, production: boolean, deployAfter?: string): PipelineEnvironment => ({
    name,
    file: `config/${name}.json`,
    stack: `audio-pipeline-${name}`,
    production,
    pullRequestPlan: !production,
    region: "us-east-1",
    planRoleArn: "",
    deployRoleArn: "",
    seedRoleArn: "",
    seedSecretId: "",
    ...(deployAfter ? { deployAfter } : {}),
  });
  const names = (list: PipelineEnvironment[]) => list.map((item) => item.name);

  it("puts non-production environments first and production ones after all of them, unless ci.deployAfter says otherwise", () => {
    expect(names(deployOrder([environment("prod", true), environment("qa", false), environment("dev", false)]))).toEqual(["dev", "qa", "prod"]);
    expect(names(deployOrder([environment("prod", true), environment("staging", false, "qa"), environment("qa", false, "dev"), environment("dev", false)]))).toEqual([
      "dev",
      "qa",
      "staging",
      "prod",
    ]);
    expect(names(deployOrder([environment("eu", true, "prod"), environment("prod", true), environment("dev", false)]))).toEqual(["dev", "prod", "eu"]);
  });

  it("refuses an unknown name, itself, or a cycle, naming the file, the field, the value and what is allowed", () => {
    expect(() => deployOrder([environment("dev", false, "qa"), environment("prod", true)])).toThrow(
      'config/dev.json: ci.deployAfter: got "qa"; names no environment in config/; allowed: "prod"',
    );
    expect(() => deployOrder([environment("dev", false, "dev")])).toThrow(/ci\.deployAfter: got "dev"; an environment cannot deploy after itself/);
    const cycle = () => deployOrder([environment("a", false, "b"), environment("b", false, "a")]);
    expect(cycle).toThrow(ConfigError);
    expect(cycle).toThrow(/forms a cycle \(a after b, b after a\)/);
  });

  it("reads the committed files: every environment once, production last", () => {
    const list = pipelineEnvironments();
    expect(new Set(names(list)).size).toBe(list.length);
    const firstProduction = list.findIndex((item) => item.production);
    expect(list.slice(firstProduction).every((item) => item.production)).toBe(true);
  });
});
