/*
 * vitest globalSetup: says once, before any test, whether the real-Terraform tests will run and
 * with which provider mirror, so a skipped run is never mistaken for a passed one. It also makes
 * this run's own directory (removed at the end), where test files in different workers share
 * work: see __tests__/terraform/aws-part-workspace.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { findPluginMirror } from "./plugin-mirror";

declare module "vitest" {
  export interface ProvidedContext {
    /** A directory of this test run only, shared by its workers. */
    testRunDir: string;
  }
}

export default function reportTerraform(project: TestProject): () => void {
  const search = findPluginMirror();
  console.info(
    search.found
      ? `[terraform] provider mirror: ${search.mirror} (${search.how}); the real-Terraform tests run`
      : `[terraform] the real-Terraform tests that need the aws provider are skipped: ${search.reason}`,
  );
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "vitest-run-"));
  project.provide("testRunDir", runDir);
  return () => fs.rmSync(runDir, { recursive: true, force: true });
}
