/*
 * vitest globalSetup: says once, before any test, whether the real-Terraform tests will run and
 * with which provider mirror, so a skipped run is never mistaken for a passed one.
 */
import { findPluginMirror } from "./plugin-mirror";

export default function reportTerraform(): void {
  const search = findPluginMirror();
  console.info(
    search.found
      ? `[terraform] provider mirror: ${search.mirror} (${search.how}); the real-Terraform tests run`
      : `[terraform] the real-Terraform tests that need the aws provider are skipped: ${search.reason}`,
  );
}
