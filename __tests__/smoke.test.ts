import { Testing } from "cdktf";
import { AdvancedCluster } from "@cdktf/provider-mongodbatlas/lib/advanced-cluster";
import { loadEnvironments } from "../src/config/load-environment";
import { DatabaseStack } from "../src/stacks/database-stack";

test("smoke", () => {
  const [dev] = loadEnvironments("config");
  const stack = new DatabaseStack(Testing.app(), { config: dev.config, configFile: dev.file });
  const synth = Testing.synth(stack, true);
  expect(synth).toHaveResourceWithProperties(AdvancedCluster, { mongo_db_major_version: "7.0" });
  expect(synth).not.toHaveResourceWithProperties(AdvancedCluster, { mongo_db_major_version: "8.0" });
});
