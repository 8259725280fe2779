import { Testing } from "cdktf";
import { resolveEnvironments, type ResolvedEnvironment } from "../../src/environment/resolve";
import { DatabaseStack } from "../../src/stacks/database-stack";

/** The committed environment files, validated exactly as `cdktf synth` validates them. */
export function committedEnvironment(name: string): ResolvedEnvironment {
  const found = resolveEnvironments("config").find(({ config }) => config.environment === name);
  if (!found) throw new Error(`config/${name}.json not found`);
  return found;
}

/** A synthesized stack: the string cdktf's matchers expect, and the same JSON parsed. */
export interface SynthesizedStack {
  readonly stack: DatabaseStack;
  readonly synth: string;
  readonly json: TerraformJson;
}

/** The parts of Terraform JSON the tests read. */
export interface TerraformJson {
  readonly terraform: { readonly backend?: Record<string, Record<string, unknown>> };
  readonly provider: Record<string, Record<string, unknown>[]>;
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly output: Record<string, { readonly value: unknown; readonly description?: string; readonly sensitive?: boolean }>;
  readonly variable: Record<string, Record<string, unknown>>;
  readonly locals?: Record<string, unknown>;
}

const synthesized = new Map<string, SynthesizedStack>();

/**
 * Synthesizes one environment's stack with validations on. The same file and config give the
 * same stack: it is synthesized once per test worker and shared (read it, never change it).
 */
export function synthesizeEnvironment(environment: Pick<ResolvedEnvironment, "file" | "config">): SynthesizedStack {
  const key = `${environment.file}\n${JSON.stringify(environment.config)}`;
  const cached = synthesized.get(key);
  if (cached) return cached;
  const stack = new DatabaseStack(Testing.app(), { config: environment.config, configFile: environment.file });
  const synth = Testing.synth(stack, true);
  const result = { stack, synth, json: JSON.parse(synth) as TerraformJson };
  synthesized.set(key, result);
  return result;
}

/** The single resource of a type, failing loudly if there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(json.resource[type] ?? {});
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

/** The resource of a type with a given Terraform name, failing loudly if it is missing. */
export function resourceNamed(json: TerraformJson, type: string, name: string): Record<string, unknown> {
  const found = json.resource[type]?.[name];
  if (!found) throw new Error(`no ${type}.${name} in the stack`);
  return found;
}
