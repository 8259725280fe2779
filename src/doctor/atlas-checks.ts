import { apiKeyDescription, roleLabel, type ProjectRole } from "../atlas/api-key-roles";
import { fail, ok, ServiceStop, warn, type Check } from "./check";
import { AtlasAdminClient, AtlasApiError } from "../atlas-api/client";

/*
 * Atlas, read with the caller's API key through the Admin API v2, with the one Atlas client
 * (src/atlas-api/client.ts: digest authentication, `readOnly: true` refuses every non-GET):
 * the environment's project, its plan and deploy keys (found by description, `<stack>-plan` and
 * `<stack>-deploy`), their roles and their access lists. Response shapes: MongoDB's OpenAPI
 * description (mongodb/openapi) — `Group`, `PaginatedApiApiUser` (ApiKeyUserDetails with
 * roles [{groupId|orgId, roleName}]) and `PaginatedApiUserAccessListResponse`.
 */

export interface AtlasCheckInput {
  readonly baseUrl: string;
  readonly publicKey: string | undefined;
  readonly privateKey: string | undefined;
  readonly orgId: string | undefined;
  readonly stack: string;
  readonly projectName: string;
  /** The least project role the plan key needs (leastPlanRole of the environment's stack), and which resources need more than read-only; computed only when a key is checked. */
  readonly planRole: () => { readonly role: ProjectRole; readonly because: readonly string[] };
  /** Pull requests plan this environment: its plan key must not be able to create database users. */
  readonly pullRequestPlans: boolean;
}

type Json = Record<string, any>;

/** An Admin API answer: 200 with its body, or the error status Atlas answered. */
interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** The doctor's Atlas client: the one Atlas client, read-only (every non-GET is refused before it is sent), one retry. */
export function doctorAtlasClient(baseUrl: string, publicKey: string, privateKey: string): AtlasAdminClient {
  return new AtlasAdminClient({ baseUrl, publicKey, privateKey, readOnly: true, getRetries: 1, retryDelayMs: 1_000, requestTimeoutMs: 20_000 });
}

export async function atlasChecks(input: AtlasCheckInput): Promise<Check[]> {
  if (!input.publicKey || !input.privateKey) {
    throw new ServiceStop(
      fail("atlas", "API key", "MONGODB_ATLAS_PUBLIC_API_KEY and MONGODB_ATLAS_PRIVATE_API_KEY are not set, so nothing in Atlas was checked", "export an organization key that can read API keys (Organization Member is enough to list them)"),
    );
  }
  if (!input.orgId) throw new ServiceStop(fail("atlas", "organization", "MONGODB_ATLAS_ORG_ID (or TF_VAR_atlas_org_id) is not set", "export MONGODB_ATLAS_ORG_ID=<24 hex digits>"));
  const { publicKey, privateKey } = input;
  let client: AtlasAdminClient;
  try {
    client = doctorAtlasClient(input.baseUrl, publicKey, privateKey);
  } catch (error) {
    throw new ServiceStop(fail("atlas", "Admin API", (error as Error).message, "fix MONGODB_ATLAS_BASE_URL"));
  }
  const get = async (path: string, query?: Record<string, number>): Promise<Answer> => {
    try {
      return { status: 200, body: await client.get<unknown>(path, { query }) };
    } catch (error) {
      if (error instanceof AtlasApiError) return { status: error.status, body: undefined };
      throw new ServiceStop(fail("atlas", "Admin API", `${(error as Error).message}, so nothing in Atlas was checked`, "check the network, or MONGODB_ATLAS_BASE_URL"));
    }
  };

  const project = await get(`/groups/byName/${encodeURIComponent(input.projectName)}`);
  if (project.status === 401 || project.status === 403) {
    throw new ServiceStop(fail("atlas", "API key", `the Admin API refused the caller's key (${project.status})`, "check the key, its access list and its organization"));
  }
  const projectId = project.status === 200 ? String((project.body as Json).id) : undefined;
  const checks: Check[] = [
    projectId
      ? ok("atlas", `project ${input.projectName}`, `exists (${projectId})`)
      : warn("atlas", `project ${input.projectName}`, "does not exist yet: the first apply creates it with the deploy key", "first apply; then remove Organization Project Creator from the deploy key (docs/day-0.md)"),
  ];

  const keys = await get(`/orgs/${input.orgId}/apiKeys`, { itemsPerPage: 500, pageNum: 1 });
  if (keys.status !== 200) return [...checks, fail("atlas", "API keys", `could not list the organization's API keys (${keys.status})`, "use a key with Organization Member or more")];
  const all = ((keys.body as Json).results as Json[] | undefined) ?? [];
  for (const purpose of ["plan", "deploy"] as const) {
    const description = apiKeyDescription(input.stack, purpose);
    const key = all.find((candidate) => candidate.desc === description);
    if (!key) {
      checks.push(fail("atlas", `${purpose} key`, `no API key described "${description}" in the organization`, `create it (docs/day-0.md) with that description, and store it in the ${input.stack.replace(/^audio-pipeline-/, "")}-${purpose} GitHub environment`));
      continue;
    }
    checks.push(...(purpose === "plan" ? planKeyRoles(input, key, projectId) : deployKeyRoles(key, projectId)));
    const access = await get(`/orgs/${input.orgId}/apiKeys/${key.id}/accessList`);
    const entries = (((access.body as Json | undefined)?.results as Json[] | undefined) ?? []).map((entry) => entry.cidrBlock ?? entry.ipAddress);
    checks.push(
      access.status !== 200
        ? fail("atlas", `${purpose} key access list`, `could not read it (${access.status})`, "use a key with Organization Member or more")
        : entries.length > 0
          ? ok("atlas", `${purpose} key access list`, entries.join(", "))
          : warn(
              "atlas",
              `${purpose} key access list`,
              "empty: the key works from any address (GitHub-hosted runners have no fixed address; a leaked key is limited only by its roles)",
              "add the runners' egress addresses when they are fixed (self-hosted runners, or a larger runner with static IPs)",
            ),
    );
  }
  return checks;
}

interface Roles {
  readonly org: string[];
  readonly projects: Array<{ readonly groupId: string; readonly roleName: string }>;
}

function rolesOf(key: Json): Roles {
  const roles = (key.roles as Json[] | undefined) ?? [];
  return {
    org: roles.filter((role) => !role.groupId).map((role) => String(role.roleName)),
    projects: roles.filter((role) => role.groupId).map((role) => ({ groupId: String(role.groupId), roleName: String(role.roleName) })),
  };
}

const labels = (roles: readonly string[]) => roles.map(roleLabel).join(", ") || "none";

function planKeyRoles(input: AtlasCheckInput, key: Json, projectId: string | undefined): Check[] {
  const { org, projects } = rolesOf(key);
  const planRole = input.planRole();
  const wanted = planRole.role;
  const checks: Check[] = [
    org.length === 1 && org[0] === "ORG_MEMBER"
      ? ok("atlas", "plan key: organization roles", "Organization Member only: it sees only the projects it is added to")
      : fail(
          "atlas",
          "plan key: organization roles",
          `${labels(org)}${org.includes("ORG_READ_ONLY") ? " (Organization Read Only reads every project of the organization, prod's included)" : ""}; a plan key needs Organization Member only`,
          "in Atlas, Organization Access Manager > API Keys: set the key's organization role to Organization Member",
        ),
  ];
  const elsewhere = projects.filter((role) => role.groupId !== projectId);
  const own = projects.filter((role) => role.groupId === projectId).map((role) => role.roleName);
  const why = wanted === "GROUP_OWNER" ? `${roleLabel(wanted)}: refreshing ${planRole.because.join(", ")} reads what only Project Owner may read` : `${roleLabel(wanted)}: every resource of the stack refreshes with it`;
  if (!projectId) {
    checks.push(warn("atlas", "plan key: project role", `the project does not exist yet; after the first apply add ${why}`, `add the key to project ${input.projectName} as ${roleLabel(wanted)}`));
  } else {
    checks.push(
      own.length === 1 && own[0] === wanted && elsewhere.length === 0
        ? ok("atlas", "plan key: project role", why)
        : fail("atlas", "plan key: project role", `found ${labels(own)} here${elsewhere.length > 0 ? ` and roles in ${elsewhere.length} other project(s)` : ""}; wanted ${why}`, `give it exactly ${roleLabel(wanted)} on ${input.projectName} and nothing elsewhere`),
    );
  }
  if (input.pullRequestPlans && wanted === "GROUP_OWNER") {
    checks.push(
      fail(
        "atlas",
        "plan key reachable by pull requests",
        `pull requests plan this environment, and its plan key must be Project Owner (for ${planRole.because.join(", ")}), which can create database users`,
        "turn off atlas.encryptionAtRest and monitoring.logExport here, or set ci.pullRequestPlan: false",
      ),
    );
  }
  return checks;
}

function deployKeyRoles(key: Json, projectId: string | undefined): Check[] {
  const { org, projects } = rolesOf(key);
  const extraOrg = org.filter((role) => role !== "ORG_MEMBER" && role !== "ORG_GROUP_CREATOR");
  const checks: Check[] = [];
  if (!projectId) {
    checks.push(
      org.includes("ORG_GROUP_CREATOR") && extraOrg.length === 0
        ? ok("atlas", "deploy key: organization roles", "Organization Project Creator, for the first apply only")
        : fail("atlas", "deploy key: organization roles", `${labels(org)}; the first apply needs Organization Member and Organization Project Creator`, "give the key Organization Project Creator until the first apply has created the project"),
    );
    return checks;
  }
  checks.push(
    org.includes("ORG_GROUP_CREATOR")
      ? fail("atlas", "deploy key: organization roles", "still Organization Project Creator although the project exists: it could create projects it was never meant to", "remove Organization Project Creator from the key (keep Organization Member)")
      : extraOrg.length === 0 && org.includes("ORG_MEMBER")
        ? ok("atlas", "deploy key: organization roles", "Organization Member only")
        : fail("atlas", "deploy key: organization roles", `${labels(org)}; a deploy key needs Organization Member only`, "set the key's organization role to Organization Member"),
  );
  const own = projects.filter((role) => role.groupId === projectId).map((role) => role.roleName);
  const elsewhere = projects.filter((role) => role.groupId !== projectId);
  checks.push(
    own.includes("GROUP_OWNER") && elsewhere.length === 0
      ? ok("atlas", "deploy key: project role", "Project Owner on its own project only")
      : fail("atlas", "deploy key: project role", `found ${labels(own)} here${elsewhere.length > 0 ? ` and roles in ${elsewhere.length} other project(s)` : ""}; wanted Project Owner here and nothing elsewhere`, "give it Project Owner on its project and remove it from every other"),
  );
  return checks;
}
