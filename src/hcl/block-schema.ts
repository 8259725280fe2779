/*
 * Which keys of a resource, data source or provider body are nested blocks.
 *
 * Terraform's JSON syntax writes a nested block (`replication_specs { ... }`) and an attribute
 * holding an object (`tags = { ... }`) the same way, and leaves the provider schema to tell them
 * apart. HCL needs the difference spelled out. The provider bindings know it: every generated
 * construct describes its arguments for cdktf's HCL output with an `isBlock` flag. This reads
 * those flags off the stacks' own constructs, so it covers every provider the app uses (aws,
 * mongodbatlas, random) offline, with no provider binary. The real-Terraform tests check the
 * result for aws against the provider's own schema by validating and planning the rendered HCL.
 */
import { DefaultTokenResolver, StringConcat, TerraformElement, Tokenization, type TerraformStack } from "cdktf";

/**
 * Nested-block paths by body kind. Keys: `resource.<type>`, `data.<type>`, `provider.<name>`;
 * values: dotted paths of the blocks inside that body (`replication_specs`,
 * `replication_specs.region_configs`). A known kind without blocks maps to an empty set.
 */
export type BlockSchema = ReadonlyMap<string, ReadonlySet<string>>;

const RESOLVER = new DefaultTokenResolver(new StringConcat());

type Described = Record<string, unknown>;

function isRecord(value: unknown): value is Described {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An argument as cdktf describes it for HCL: `{ value, isBlock }` (snake_case on provider blocks). */
function blockFlag(argument: unknown): boolean | undefined {
  if (!isRecord(argument) || !("value" in argument)) return undefined;
  const flag = argument.isBlock ?? argument.is_block;
  return typeof flag === "boolean" ? flag : undefined;
}

/** Adds the block paths of one described body to `paths`. */
function collect(body: Described, prefix: string, paths: Set<string>): void {
  for (const [key, argument] of Object.entries(body)) {
    if (blockFlag(argument) !== true) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    paths.add(path);
    const value = (argument as Described).value;
    for (const item of Array.isArray(value) ? value : [value]) if (isRecord(item)) collect(item, path, paths);
  }
}

/** The block schema of every resource, data source and provider in the given stacks. */
export function blockSchemaOf(stacks: readonly TerraformStack[]): BlockSchema {
  const schema = new Map<string, Set<string>>();
  const add = (kind: string, body: unknown): void => {
    const paths = schema.get(kind) ?? new Set<string>();
    schema.set(kind, paths);
    if (isRecord(body)) collect(body, "", paths);
  };
  for (const stack of stacks) {
    for (const element of stack.node.findAll()) {
      if (!(element instanceof TerraformElement)) continue;
      const fragment: unknown = Tokenization.resolve(element.toHclTerraform(), { scope: element, resolver: RESOLVER });
      if (!isRecord(fragment)) continue;
      for (const block of ["resource", "data"] as const) {
        const byType = fragment[block];
        if (!isRecord(byType)) continue;
        for (const [type, byName] of Object.entries(byType)) {
          if (isRecord(byName)) for (const body of Object.values(byName)) add(`${block}.${type}`, body);
        }
      }
      if (isRecord(fragment.provider)) {
        for (const [name, blocks] of Object.entries(fragment.provider)) {
          for (const body of Array.isArray(blocks) ? blocks : [blocks]) add(`provider.${name}`, body);
        }
      }
    }
  }
  return schema;
}
