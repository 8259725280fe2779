/*
 * The "AWS part" of a synthesized stack: the same Terraform JSON with everything that needs a
 * provider other than hashicorp/aws taken out, so that the real Terraform CLI can init, validate
 * and plan it offline with only the aws provider binary (see docs/terraform-proof.md).
 *
 * Pure: JSON in, JSON out plus the list of stand-in variables. The input is not modified.
 *
 * - Every resource, data source, provider block and `required_providers` entry of a kept provider
 *   (default: aws) stays as it is; those of other providers (mongodbatlas, random, ...) go.
 * - Each reference from what stays to what went (`mongodbatlas_x.y.attr`, `data.random_x.y.attr`,
 *   with its index/attribute chain) becomes `var.standin__...`, a typed variable whose default is
 *   a realistic value: the removed resource's own literal argument when it has one, else a rule
 *   from ATTRIBUTE_STAND_INS. An unknown reference is an error, never a silent guess.
 * - A local whose expression references a removed resource is replaced as a whole by a typed
 *   variable (a LOCAL_STAND_INS rule must recognize its expression); `local.<name>` becomes
 *   `var.standin__local__<name>` everywhere, including lifecycle preconditions.
 * - An output whose value depends on a removed resource (directly or through a replaced local) is
 *   dropped; every other output stays as it is. Variables all stay as they are.
 * - depends_on / replace_triggered_by entries naming a removed resource are removed.
 * - The state backend (s3, local, ...) and `cloud` block are removed: the plan uses a local state
 *   in its own temporary directory.
 *
 * References are found in every string that contains `${` (cdktf writes each expression as such a
 * string), by matching `<type>.<name>` traversals against the addresses actually removed, so that
 * for-expression variables like `endpoint.srv_connection_string` are never mistaken for resources.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** A Terraform JSON configuration as cdktf writes it (cdk.tf.json). */
export type TerraformJson = JsonObject;

/** The value a stand-in variable takes instead of a removed resource's attribute or a local. */
export interface StandInValue {
  /** Terraform type constraint, e.g. "string" or "list(string)". */
  readonly type: string;
  readonly default: Json;
  /** Mirror the sensitivity of the replaced value (e.g. random_password.result). */
  readonly sensitive?: boolean;
}

/** One variable added by the transformation. */
export interface StandIn extends StandInValue {
  /** Variable name, e.g. standin__mongodbatlas_privatelink_endpoint__atlas_private_endpoint__endpoint_service_name. */
  readonly name: string;
  /** The expression it replaces, e.g. mongodbatlas_privatelink_endpoint.atlas_private_endpoint.endpoint_service_name or local.x. */
  readonly replaces: string;
}

/** What a stand-in rule for a removed resource's attribute knows. */
export interface AttributeStandInContext {
  /** Resource type, e.g. mongodbatlas_privatelink_endpoint. */
  readonly type: string;
  /** Address, e.g. mongodbatlas_privatelink_endpoint.atlas_private_endpoint (data.… for data sources). */
  readonly address: string;
  /** The removed resource's own arguments. */
  readonly body: JsonObject;
  /** AWS region of the default aws provider (us-east-1 when it has none). */
  readonly region: string;
  /** The whole input configuration. */
  readonly stack: TerraformJson;
}

/** What a stand-in rule for a replaced local knows. */
export interface LocalStandInContext {
  readonly name: string;
  readonly expression: Json;
  /** Removed resources the local's expression references, address to arguments. */
  readonly references: ReadonlyMap<string, JsonObject>;
  readonly region: string;
  readonly stack: TerraformJson;
}

export type AttributeStandInRule = (context: AttributeStandInContext) => StandInValue;
/** A stand-in for locals whose expression it recognizes. */
export interface LocalStandInRule {
  /** What the rule stands in for, for messages. */
  readonly description: string;
  readonly matches: (context: LocalStandInContext) => boolean;
  readonly value: (context: LocalStandInContext) => StandInValue;
}

/** Fake, well-formed ids: 24 hex digits like Atlas object ids. */
const ATLAS_PROJECT_ID = "64b0f1e2a3c4d5e6f7a8b9c0";
const ATLAS_PRIVATE_LINK_ID = "64b0f1e2a3c4d5e6f7a8b9c1";

/** `length` letters and digits, obviously not a real secret, with upper, lower and digits. */
export function fakeAlphanumeric(length: number): string {
  const base = "AwsPartFakePassword";
  let value = base;
  while (value.length < length) value += "0123456789";
  return value.slice(0, length);
}

function literalString(value: Json | undefined): string | undefined {
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

/** us-east-1 or US_EAST_1 -> us-east-1. */
function awsRegionSpelling(region: string): string {
  return region.toLowerCase().replace(/_/g, "-");
}

/** mongodb+srv://<cluster>-pl-0.abcde.mongodb.net: what Atlas publishes for the first private endpoint. */
function privateSrvString(clusterName: string): string {
  return `mongodb+srv://${clusterName}-pl-0.abcde.mongodb.net`;
}

/**
 * Stand-ins for computed attributes of removed resources, keyed by `<type><chain>` (the chain as
 * written after the resource name, e.g. `.endpoint_service_name`). Arguments the removed resource
 * sets to a literal (a user's `username`, a cluster's `name`) need no rule: that literal is used.
 */
export const ATTRIBUTE_STAND_INS: Readonly<Record<string, AttributeStandInRule>> = {
  "mongodbatlas_privatelink_endpoint.endpoint_service_name": ({ body, region }) => ({
    type: "string",
    default: `com.amazonaws.vpce.${awsRegionSpelling(literalString(body.region) ?? region)}.vpce-svc-0123456789abcdef0`,
  }),
  "mongodbatlas_privatelink_endpoint.private_link_id": () => ({ type: "string", default: ATLAS_PRIVATE_LINK_ID }),
  "mongodbatlas_project.id": () => ({ type: "string", default: ATLAS_PROJECT_ID }),
  "mongodbatlas_advanced_cluster.connection_strings[0].private_endpoint[0].srv_connection_string": ({ body, stack }) => ({
    type: "string",
    default: privateSrvString(literalString(body.name) ?? stackName(stack)),
  }),
  // Atlas's AWS principal and the external id the IAM role's trust policy must require
  // (cloud provider access, e.g. for push-based log export to S3).
  "mongodbatlas_cloud_provider_access_setup.aws_config[0].atlas_aws_account_arn": () => ({
    type: "string",
    default: "arn:aws:iam::123456789012:root",
  }),
  "mongodbatlas_cloud_provider_access_setup.aws_config[0].atlas_assumed_role_external_id": () => ({
    type: "string",
    default: "3f1b8a2e-5c4d-4e6f-9a7b-0c1d2e3f4a5b",
  }),
  "mongodbatlas_cloud_provider_access_setup.role_id": () => ({ type: "string", default: "64b0f1e2a3c4d5e6f7a8b9c2" }),
  "random_password.result": ({ body }) => ({
    type: "string",
    default: fakeAlphanumeric(typeof body.length === "number" ? body.length : 16),
    sensitive: true,
  }),
  "random_string.result": ({ body }) => ({
    type: "string",
    default: fakeAlphanumeric(typeof body.length === "number" ? body.length : 16),
  }),
};

/**
 * Stand-ins for locals that compute on removed resources, recognized by their expression (so that
 * renaming a local does not break them). The first rule that matches wins.
 */
export const LOCAL_STAND_INS: readonly LocalStandInRule[] = [
  {
    // [for endpoint in flatten(<cluster>.connection_strings[*].private_endpoint) : endpoint.srv_connection_string if ...]
    description: "the private-endpoint SRV strings Atlas publishes for a VPC endpoint (exactly one)",
    matches: ({ expression }) =>
      typeof expression === "string" &&
      /^\$\{\s*\[\s*for\b/.test(expression) &&
      /\.private_endpoint\b/.test(expression) &&
      /\.srv_connection_string\b/.test(expression),
    value: ({ references, stack }) => {
      const cluster = [...references].find(([address]) => address.startsWith("mongodbatlas_advanced_cluster."));
      return { type: "list(string)", default: [privateSrvString(literalString(cluster?.[1].name) ?? stackName(stack))] };
    },
  },
];

/** Options of {@link toAwsPart}. */
export interface AwsPartOptions {
  /** Provider local names whose resources stay. @default ["aws"] */
  readonly keepProviders?: readonly string[];
  /** Extra or overriding attribute rules, merged over ATTRIBUTE_STAND_INS. */
  readonly attributeStandIns?: Readonly<Record<string, AttributeStandInRule>>;
  /** Extra local rules, tried before LOCAL_STAND_INS. */
  readonly localStandIns?: readonly LocalStandInRule[];
}

/** The AWS part and an account of what was changed. */
export interface AwsPartResult {
  readonly config: TerraformJson;
  /** The variables added, in order of first use. */
  readonly standIns: readonly StandIn[];
  readonly removed: {
    /** Resource and data source addresses (data sources as data.<type>.<name>). */
    readonly resources: readonly string[];
    readonly providers: readonly string[];
    readonly locals: readonly string[];
    readonly outputs: readonly string[];
    /** `<from address>: <removed entry>` for depends_on and replace_triggered_by. */
    readonly dependencies: readonly string[];
    /** The backend type that was removed (s3, local, ...), if any. */
    readonly backend?: string;
  };
  /** Variables (of the input) that have no default: a plan must be given a value for each. */
  readonly variablesWithoutDefault: readonly string[];
}

const STAND_IN_PREFIX = "standin__";

// <head><chain>: head is data.<type>.<name> or <a>.<b>; chain is .attr, .0, .*, [0], [*], ["key"].
const TRAVERSAL =
  /(?<![\w.])(data\.[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*|[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\.\d+|\.\*|\[\s*(?:\d+|\*|"[^"\\]*")\s*\])*)/g;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stackName(stack: TerraformJson): string {
  const comment = stack["//"];
  const metadata = isObject(comment) ? comment.metadata : undefined;
  const name = isObject(metadata) ? metadata.stackName : undefined;
  return typeof name === "string" ? name : "stack";
}

/** Provider local name of a resource: its `provider` meta-argument, else its type's prefix. */
function providerOf(type: string, body: JsonObject): string {
  const explicit = literalString(body.provider);
  return explicit ? explicit.split(".")[0] : type.split("_")[0];
}

function defaultAwsRegion(stack: TerraformJson): string {
  const providers = isObject(stack.provider) ? stack.provider.aws : undefined;
  const blocks = Array.isArray(providers) ? providers : providers === undefined ? [] : [providers];
  const main = blocks.find((block) => isObject(block) && block.alias === undefined);
  return (isObject(main) && literalString(main.region)) || "us-east-1";
}

/** Every string in a JSON value. */
function strings(value: Json): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isObject(value)) return Object.values(value).flatMap(strings);
  return [];
}

/** Maps every string (and, for objects, every value) of a JSON value. */
function mapStrings(value: Json, map: (text: string) => string): Json {
  if (typeof value === "string") return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}

function normalizeChain(chain: string): string {
  return chain.replace(/\s+/g, "");
}

function variableName(replaces: string): string {
  const readable = replaces
    .replace(/\[(\d+)\]/g, ".$1")
    .replace(/\[\*\]/g, ".all")
    .replace(/\["([^"]*)"\]/g, ".$1")
    .split(".")
    .map((part) => part.replace(/[^A-Za-z0-9_]+/g, "_"))
    .filter((part) => part.length > 0)
    .join("__");
  return `${STAND_IN_PREFIX}${readable}`;
}

function inferType(value: Json): string | undefined {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value) && value.length > 0) {
    const itemTypes = new Set(value.map(inferType));
    if (itemTypes.size === 1) {
      const [item] = itemTypes;
      if (item === "string" || item === "number" || item === "bool") return `list(${item})`;
    }
  }
  return undefined;
}

/** Turns a synthesized stack into its AWS part. See the file comment for the rules. */
export function toAwsPart(stack: TerraformJson, options: AwsPartOptions = {}): AwsPartResult {
  const keep = new Set(options.keepProviders ?? ["aws"]);
  const attributeRules = { ...ATTRIBUTE_STAND_INS, ...options.attributeStandIns };
  const localRules = [...(options.localStandIns ?? []), ...LOCAL_STAND_INS];
  const input = structuredClone(stack);
  const region = defaultAwsRegion(input);
  const output: TerraformJson = {};

  // Removed resources and data sources, by address, with their arguments.
  const removedBodies = new Map<string, { type: string; body: JsonObject }>();
  const keptBlocks: Record<"resource" | "data", JsonObject> = { resource: {}, data: {} };
  for (const block of ["resource", "data"] as const) {
    const byType = input[block];
    if (!isObject(byType)) continue;
    for (const [type, byName] of Object.entries(byType)) {
      if (!isObject(byName)) continue;
      for (const [name, body] of Object.entries(byName)) {
        const arguments_ = isObject(body) ? body : {};
        if (keep.has(providerOf(type, arguments_))) {
          const keptType = (keptBlocks[block][type] ??= {}) as JsonObject;
          keptType[name] = body;
        } else {
          removedBodies.set(block === "data" ? `data.${type}.${name}` : `${type}.${name}`, { type, body: arguments_ });
        }
      }
    }
  }

  /** Addresses of removed resources and names of locals that an expression refers to. */
  const referencesIn = (value: Json): { resources: Set<string>; locals: Set<string> } => {
    const resources = new Set<string>();
    const locals = new Set<string>();
    for (const text of strings(value).filter((item) => item.includes("${"))) {
      for (const match of text.matchAll(TRAVERSAL)) {
        const head = match[1];
        if (removedBodies.has(head)) resources.add(head);
        else if (head.startsWith("local.")) locals.add(head.slice("local.".length));
      }
    }
    return { resources, locals };
  };

  // Locals: those computing on removed resources are replaced by stand-ins.
  const locals = isObject(input.locals) ? input.locals : {};
  const replacedLocals = new Map<string, StandIn>();
  const standIns: StandIn[] = [];
  const standInsByExpression = new Map<string, StandIn>();
  for (const [name, expression] of Object.entries(locals)) {
    const { resources } = referencesIn(expression);
    if (resources.size === 0) continue;
    const references = new Map([...resources].map((address) => [address, removedBodies.get(address)!.body]));
    const context: LocalStandInContext = { name, expression, references, region, stack: input };
    const rule = localRules.find((candidate) => candidate.matches(context));
    if (!rule) {
      throw new Error(
        `local.${name} references ${[...resources].join(", ")}, which the AWS part removes, and no stand-in rule recognizes it: ` +
          `add one to LOCAL_STAND_INS in __tests__/support/aws-part.ts.`,
      );
    }
    const value = rule.value(context);
    const standIn: StandIn = { name: `${STAND_IN_PREFIX}local__${name}`, replaces: `local.${name}`, ...value };
    replacedLocals.set(name, standIn);
    standIns.push(standIn);
  }

  const standInFor = (head: string, chain: string): StandIn => {
    const replaces = `${head}${chain}`;
    const existing = standInsByExpression.get(replaces);
    if (existing) return existing;
    const { type, body } = removedBodies.get(head)!;
    const attribute = /^\.([A-Za-z_][\w-]*)$/.exec(chain)?.[1];
    const literal = attribute === undefined ? undefined : body[attribute];
    let value: StandInValue | undefined;
    const literalType = literal === undefined || strings(literal).some((text) => text.includes("${")) ? undefined : inferType(literal);
    if (literalType !== undefined) {
      value = { type: literalType, default: literal! };
    } else {
      const rule = attributeRules[`${type}${chain}`];
      if (rule) value = rule({ type, address: head, body, region, stack: input });
    }
    if (!value) {
      throw new Error(
        `${replaces} is referenced from the AWS part, but ${head} is removed and there is no stand-in for it: ` +
          `add a rule for "${type}${chain}" to ATTRIBUTE_STAND_INS in __tests__/support/aws-part.ts.`,
      );
    }
    const standIn: StandIn = { name: variableName(replaces), replaces, ...value };
    standInsByExpression.set(replaces, standIn);
    standIns.push(standIn);
    return standIn;
  };

  const substitute = (value: Json): Json =>
    mapStrings(value, (text) =>
      !text.includes("${")
        ? text
        : text.replace(TRAVERSAL, (whole, head: string, chain: string) => {
            if (removedBodies.has(head)) return `var.${standInFor(head, normalizeChain(chain)).name}`;
            if (head.startsWith("local.")) {
              const standIn = replacedLocals.get(head.slice("local.".length));
              if (standIn) return `var.${standIn.name}${chain}`;
            }
            return whole;
          }),
    );

  const removedDependencies: string[] = [];
  /** Drops depends_on and replace_triggered_by entries that name removed resources. */
  const pruneDependencies = (from: string, body: Json): Json => {
    if (!isObject(body)) return body;
    const result: JsonObject = { ...body };
    const prune = (entries: Json, holder: JsonObject, key: string): void => {
      if (!Array.isArray(entries)) return;
      const kept = entries.filter((entry) => {
        const removed = typeof entry === "string" && referencesIn(entry.includes("${") ? entry : `\${${entry}}`).resources.size > 0;
        if (removed) removedDependencies.push(`${from}: ${String(entry)}`);
        return !removed;
      });
      if (kept.length > 0) holder[key] = kept;
      else delete holder[key];
    };
    prune(result.depends_on, result, "depends_on");
    if (isObject(result.lifecycle)) {
      const lifecycle: JsonObject = { ...result.lifecycle };
      prune(lifecycle.replace_triggered_by, lifecycle, "replace_triggered_by");
      result.lifecycle = lifecycle;
    }
    return result;
  };

  // Copy the top-level blocks in their original order.
  const removedOutputs: string[] = [];
  const removedProviders: string[] = [];
  let removedBackend: string | undefined;
  for (const [key, value] of Object.entries(input)) {
    switch (key) {
      case "resource":
      case "data": {
        const kept = keptBlocks[key];
        const result: JsonObject = {};
        for (const [type, byName] of Object.entries(kept)) {
          result[type] = Object.fromEntries(
            Object.entries(byName as JsonObject).map(([name, body]) => {
              const address = key === "data" ? `data.${type}.${name}` : `${type}.${name}`;
              return [name, substitute(pruneDependencies(address, body))];
            }),
          );
        }
        if (Object.keys(result).length > 0) output[key] = result;
        break;
      }
      case "locals": {
        const kept = Object.entries(locals).filter(([name]) => !replacedLocals.has(name));
        if (kept.length > 0) output.locals = substitute(Object.fromEntries(kept));
        break;
      }
      case "output": {
        if (!isObject(value)) break;
        const kept: JsonObject = {};
        for (const [name, body] of Object.entries(value)) {
          const references = referencesIn(isObject(body) ? (body.value ?? null) : body);
          if (references.resources.size > 0 || [...references.locals].some((local) => replacedLocals.has(local))) {
            removedOutputs.push(name);
          } else {
            kept[name] = substitute(pruneDependencies(`output.${name}`, body));
          }
        }
        if (Object.keys(kept).length > 0) output.output = kept;
        break;
      }
      case "provider": {
        if (!isObject(value)) break;
        const kept: JsonObject = {};
        for (const [name, blocks] of Object.entries(value)) {
          if (keep.has(name)) kept[name] = substitute(blocks);
          else removedProviders.push(name);
        }
        if (Object.keys(kept).length > 0) output.provider = kept;
        break;
      }
      case "terraform": {
        if (!isObject(value)) break;
        const settings: JsonObject = {};
        for (const [setting, body] of Object.entries(value)) {
          if (setting === "backend" || setting === "cloud") {
            removedBackend = setting === "cloud" ? "cloud" : isObject(body) ? Object.keys(body).join(", ") : setting;
          } else if (setting === "required_providers" && isObject(body)) {
            settings[setting] = Object.fromEntries(Object.entries(body).filter(([name]) => keep.has(name)));
          } else {
            settings[setting] = body;
          }
        }
        output.terraform = settings;
        break;
      }
      case "variable":
      case "//":
        output[key] = value;
        break;
      default:
        // module, check, import, moved, ...: kept, with references to removed resources replaced.
        output[key] = substitute(value);
    }
  }

  if (standIns.length > 0) {
    const variables: JsonObject = isObject(output.variable) ? { ...output.variable } : {};
    for (const standIn of standIns) {
      if (variables[standIn.name] !== undefined) throw new Error(`variable ${standIn.name} already exists in the stack`);
      variables[standIn.name] = {
        type: standIn.type,
        default: standIn.default,
        nullable: false,
        description: `AWS-part stand-in for ${standIn.replaces}, which needs a provider that is not installed for this check.`,
        ...(standIn.sensitive ? { sensitive: true } : {}),
      };
    }
    output.variable = variables;
  }

  const declared = isObject(input.variable) ? input.variable : {};
  const variablesWithoutDefault = Object.entries(declared)
    .filter(([, body]) => !isObject(body) || body.default === undefined)
    .map(([name]) => name);

  return {
    config: output,
    standIns,
    removed: {
      resources: [...removedBodies.keys()],
      providers: removedProviders,
      locals: [...replacedLocals.keys()],
      outputs: removedOutputs,
      dependencies: removedDependencies,
      ...(removedBackend ? { backend: removedBackend } : {}),
    },
    variablesWithoutDefault,
  };
}

/**
 * Traversals in `config` (outside its variable declarations) whose head is one of `addresses`
 * (`type.name` or `data.type.name`), e.g. the removed ones. Empty for a correct AWS part.
 */
export function referencesTo(config: TerraformJson, addresses: Iterable<string>): string[] {
  const wanted = new Set(addresses);
  const found = new Set<string>();
  const texts = Object.entries(config)
    .filter(([key]) => key !== "variable")
    .flatMap(([, value]) => strings(value))
    .filter((text) => text.includes("${"));
  for (const text of texts) {
    for (const match of text.matchAll(TRAVERSAL)) if (wanted.has(match[1])) found.add(match[0]);
  }
  return [...found];
}
