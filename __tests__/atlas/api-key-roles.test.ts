import { leastPlanRole, READ_ROLE_BY_RESOURCE } from "../../src/atlas/api-key-roles";
import { pullRequestPlans } from "../../src/config/pull-request-plans";
import { resolveEnvironments } from "../../src/environment/resolve";
import { synthesizeEnvironment } from "../support/stacks";

const environments = resolveEnvironments("config");
const atlasTypes = (json: { resource: Record<string, unknown> }) => Object.keys(json.resource).filter((type) => type.startsWith("mongodbatlas_"));

describe("Atlas plan keys: the least project role that refreshes every resource", () => {
  it("knows the read role of every Atlas resource type a committed stack declares (a new type fails here, naming the table)", () => {
    for (const environment of environments) {
      for (const type of atlasTypes(synthesizeEnvironment(environment).json)) expect(READ_ROLE_BY_RESOURCE[type], `${type}: add it to READ_ROLE_BY_RESOURCE in src/atlas/api-key-roles.ts`).toBeDefined();
    }
    expect(() => leastPlanRole(["mongodbatlas_new_thing"])).toThrow(/mongodbatlas_new_thing has no entry in READ_ROLE_BY_RESOURCE \(src\/atlas\/api-key-roles\.ts\)/);
  });

  it("is Project Owner exactly when the stack reads encryption at rest or cloud provider access (documented as Project Owner), Project Read Only otherwise", () => {
    for (const environment of environments) {
      const types = atlasTypes(synthesizeEnvironment(environment).json);
      const ownerOnly = types.filter((type) => ["mongodbatlas_encryption_at_rest", "mongodbatlas_cloud_provider_access_setup", "mongodbatlas_cloud_provider_access_authorization"].includes(type));
      expect(leastPlanRole(types), environment.config.environment).toEqual({ role: ownerOnly.length > 0 ? "GROUP_OWNER" : "GROUP_READ_ONLY", because: ownerOnly });
    }
  });

  // The committed pull-request environment only: a new non-production file inherits monitoring.logExport
  // true (the module default), whose plan key then needs Project Owner; the doctor fails that case
  // ("plan key reachable by pull requests"), and no config rule refuses it yet.
  it("leaves the plan key of the committed environment that pull requests plan (dev) at Project Read Only (no key a pull request can reach creates database users)", () => {
    const planned = environments.filter(({ config }) => pullRequestPlans(config) && config.environment === "dev");
    expect(planned.length).toBeGreaterThan(0);
    for (const environment of planned) expect(leastPlanRole(atlasTypes(synthesizeEnvironment(environment).json)).role, environment.config.environment).toBe("GROUP_READ_ONLY");
  });
});
