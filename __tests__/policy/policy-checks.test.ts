import * as fs from "node:fs";
import * as path from "node:path";
import { ProjectIpAccessList } from "@cdktf/provider-mongodbatlas/lib/project-ip-access-list";
import { Testing } from "cdktf";
import { SynthesisError, synthesizeApp } from "../../src/app";
import { POLICY_RULES } from "../../src/policy/rules";
import { suppressPolicy } from "../../src/policy/suppressions";
import { committedConfigJson, setField, synthesizedFiles, writeConfigFile } from "../support/config-files";
import { policyAnnotations, policyTestStack } from "../support/policy";
import { DatabaseStack } from "../../src/stacks/database-stack";
import { parseEnvironment, resolveEnvironments } from "../../src/environment/resolve";
import { temporaryDirectory } from "../support/temporary-directory";

describe("policy rule pack", () => {
  it("gives every rule a unique id and a one-line rationale", () => {
    expect(new Set(POLICY_RULES.map((rule) => rule.id)).size).toBe(POLICY_RULES.length);
    for (const rule of POLICY_RULES) expect(rule.rationale).toMatch(/^[^\n]{20,200}$/);
  });

  it.each(resolveEnvironments("config").map((environment) => [environment.file, environment] as const))(
    "finds no violation and prints nothing for %s (its one exception, the seeder's dbAdmin, is a documented suppression)",
    (_file, { file, config }) => {
      const stack = new DatabaseStack(Testing.app(), { config, configFile: file });
      expect(policyAnnotations(stack)).toEqual([]);
    },
  );

  it("lists every violation at once when synth fails", () => {
    const stack = policyTestStack((scope) => {
      new ProjectIpAccessList(scope, "everyone", { projectId: "p", cidrBlock: "0.0.0.0/0" });
      new ProjectIpAccessList(scope, "office", { projectId: "p", cidrBlock: "81.2.69.0/24" });
    });
    expect(() => Testing.fullSynth(stack)).toThrow(
      /\[no-public-network-access\] mongodbatlas_project_ip_access_list\.everyone .*0\.0\.0\.0\/0[\s\S]*\[no-public-network-access\] mongodbatlas_project_ip_access_list\.office .*81\.2\.69\.0\/24/,
    );
  });
});

describe("policy suppressions", () => {
  it("accept one resource's violation with its written reason: a deliberate choice, not a warning", () => {
    const stack = policyTestStack((scope) => {
      const entry = new ProjectIpAccessList(scope, "vendor", { projectId: "p", cidrBlock: "81.2.69.0/24" });
      suppressPolicy(entry, "no-public-network-access", "Vendor support session, ticket OPS-123, removed after the incident");
    });
    expect(policyAnnotations(stack)).toEqual([]);
  });

  it("apply to that resource only", () => {
    const stack = policyTestStack((scope) => {
      const vendor = new ProjectIpAccessList(scope, "vendor", { projectId: "p", cidrBlock: "81.2.69.0/24" });
      suppressPolicy(vendor, "no-public-network-access", "Vendor support session, ticket OPS-123, removed after the incident");
      new ProjectIpAccessList(scope, "other", { projectId: "p", cidrBlock: "81.2.70.0/24" });
    });
    const errors = policyAnnotations(stack).filter((annotation) => annotation.level === "error");
    expect(errors.map((annotation) => annotation.path)).toEqual(["policy-test/other"]);
  });

  it("need a written reason", () => {
    policyTestStack((scope) => {
      const entry = new ProjectIpAccessList(scope, "vendor", { projectId: "p", cidrBlock: "81.2.69.0/24" });
      expect(() => suppressPolicy(entry, "no-public-network-access", "because")).toThrow(/needs a written reason of at least 20 characters, got "because"/);
    });
  });
});

describe("production rules follow the config's production flag, not the environment's name", () => {
  it("apply to an environment named otherwise that declares production: true", () => {
    const config = committedConfigJson("dev");
    Object.assign(config, { environment: "live", production: true });
    setField(config, "atlas.terminationProtection", false);
    const stack = new DatabaseStack(Testing.app(), { config: parseEnvironment(config), configFile: "config/live.json" });
    const errors = policyAnnotations(stack).filter((annotation) => annotation.level === "error");
    expect(errors.map((annotation) => /^\[([\w-]+)\]/.exec(annotation.message)?.[1])).toEqual(
      expect.arrayContaining(["production-cluster-protection", "production-prevent-destroy", "production-alarm-destination"]),
    );
  });
});

describe("policy errors through the `cdktf synth` code path", () => {
  it("refuse a prod environment without termination protection and write no stack", () => {
    const workspace = temporaryDirectory("policy-synth");
    try {
      const configDir = path.join(workspace, "config");
      const prod = committedConfigJson("prod");
      setField(prod, "atlas.terminationProtection", false);
      writeConfigFile(configDir, "prod", prod);
      const outdir = path.join(workspace, "out");
      expect(() => synthesizeApp({ configDir, outdir })).toThrow(SynthesisError);
      expect(() => synthesizeApp({ configDir, outdir })).toThrow(
        /\[audio-pipeline-prod\/database\/cluster\/cluster\] \[production-cluster-protection\] mongodbatlas_advanced_cluster\.cluster has termination protection off in production/,
      );
      expect(synthesizedFiles(outdir)).toEqual([]);
    } finally {
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});
