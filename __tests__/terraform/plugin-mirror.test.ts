/*
 * How `npm test` (and so .ci/run) finds the offline provider mirror: TF_PLUGIN_MIRROR when set,
 * else the first usual location holding hashicorp/aws.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_PROVIDER_ADDRESS, defaultMirrorLocations, findPluginMirror } from "../support/plugin-mirror";
import { temporaryDirectory } from "../support/temporary-directory";

let root: string;
const mirror = (name: string, withAws: boolean) => {
  const directory = path.join(root, name);
  fs.mkdirSync(withAws ? path.join(directory, AWS_PROVIDER_ADDRESS) : directory, { recursive: true });
  return directory;
};

beforeAll(() => {
  root = temporaryDirectory("plugin-mirror");
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe("findPluginMirror", () => {
  test("searches the usual locations in order and takes the first that holds hashicorp/aws", () => {
    const locations = [mirror("empty", false), path.join(root, "missing"), mirror("second", true), mirror("third", true)];
    expect(findPluginMirror({}, locations)).toMatchObject({ found: true, mirror: locations[2] });
  });

  test("TF_PLUGIN_MIRROR is the choice when set, ahead of the usual locations", () => {
    const chosen = mirror("chosen", true);
    expect(findPluginMirror({ TF_PLUGIN_MIRROR: chosen }, [mirror("usual", true)])).toMatchObject({ found: true, mirror: chosen, how: "TF_PLUGIN_MIRROR" });
  });

  test("a TF_PLUGIN_MIRROR without hashicorp/aws is reported, not replaced by another mirror", () => {
    const wrong = mirror("wrong", false);
    expect(findPluginMirror({ TF_PLUGIN_MIRROR: wrong }, [mirror("usual-too", true)])).toEqual({
      found: false,
      reason: `TF_PLUGIN_MIRROR=${wrong} holds no ${AWS_PROVIDER_ADDRESS}`,
    });
  });

  test("no mirror anywhere: the reason names every place searched", () => {
    const locations = [path.join(root, "none-a"), path.join(root, "none-b")];
    const search = findPluginMirror({}, locations);
    expect(search.found).toBe(false);
    for (const location of locations) expect(search.found ? "" : search.reason).toContain(location);
  });

  test("the usual locations are those .ci/run searched: /opt/tf-plugins, /usr/share/terraform/plugins, ~/.terraform.d/plugins", () => {
    expect(defaultMirrorLocations("/home/someone")).toEqual(["/opt/tf-plugins", "/usr/share/terraform/plugins", "/home/someone/.terraform.d/plugins"]);
  });
});
