/*
 * Where the offline provider mirror is: the one place that decides, for `npm test` and `.ci/run`
 * alike (.ci/run runs `npm test` and no search of its own).
 *
 * TF_PLUGIN_MIRROR, when set, is the choice: a directory without hashicorp/aws is reported, not
 * silently replaced by another. Otherwise the usual mirror locations are searched in order.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The provider every offline run needs from the mirror. */
export const AWS_PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";

/** Searched in this order when TF_PLUGIN_MIRROR is not set. */
export function defaultMirrorLocations(home: string = os.homedir()): string[] {
  return ["/opt/tf-plugins", "/usr/share/terraform/plugins", path.join(home, ".terraform.d", "plugins")];
}

/** A mirror with hashicorp/aws, or why there is none. */
export type MirrorSearch =
  | { readonly found: true; readonly mirror: string; readonly how: string }
  | { readonly found: false; readonly reason: string };

function holdsAws(directory: string): boolean {
  return fs.existsSync(path.join(directory, AWS_PROVIDER_ADDRESS));
}

/** Finds the provider mirror: TF_PLUGIN_MIRROR if set, else the first default location holding hashicorp/aws. */
export function findPluginMirror(env: NodeJS.ProcessEnv = process.env, locations: readonly string[] = defaultMirrorLocations()): MirrorSearch {
  const chosen = env.TF_PLUGIN_MIRROR;
  if (chosen) {
    if (holdsAws(chosen)) return { found: true, mirror: path.resolve(chosen), how: "TF_PLUGIN_MIRROR" };
    return { found: false, reason: `TF_PLUGIN_MIRROR=${chosen} holds no ${AWS_PROVIDER_ADDRESS}` };
  }
  const found = locations.find(holdsAws);
  if (found) return { found: true, mirror: path.resolve(found), how: `found in ${found}; set TF_PLUGIN_MIRROR to choose another` };
  return {
    found: false,
    reason: `no provider mirror with ${AWS_PROVIDER_ADDRESS} in ${locations.join(", ")} (set TF_PLUGIN_MIRROR to one)`,
  };
}
