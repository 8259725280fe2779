/*
 * One environment as the workflows receive it: the one table that gives each field's name, type
 * and description (deploy-environment.yml's `inputs`, the deploy matrix's `with:`), its value
 * (environments.ts's matrix entry, from the resolved environment) and the job environment
 * variables the scripts read it through (never an expression inside `run:`). A new field is one
 * line here.
 */
import type { PipelineEnvironment } from "./pipeline";

/** Where a missing ci.runnerLabel shows in runs-on; the preflight stops the environment before its seed jobs. */
export const MISSING_RUNNER_LABEL = "ci-runnerLabel-not-set";

type InputType = "string" | "boolean";
type ValueOf<T extends InputType> = T extends "boolean" ? boolean : string;

interface EntryField<T extends InputType> {
  /** The workflow_call input type. */
  readonly type: T;
  readonly description: string;
  /** The field's value for one environment. */
  readonly of: (environment: PipelineEnvironment) => ValueOf<T>;
  /** The job environment variables that carry it, given the expression of the field (e.g. `${{ inputs.stack }}`). */
  readonly env?: (expression: string) => Record<string, string>;
}

const field = <T extends InputType>(definition: EntryField<T>) => definition;

/** The fields of an environment entry, in the order the workflows list them. */
export const ENTRY_FIELDS = {
  environment: field({ type: "string", description: "config/<environment>.json's environment", of: (e) => e.name, env: (value) => ({ ENVIRONMENT: value }) }),
  production: field({ type: "boolean", description: "config/<environment>.json's production", of: (e) => e.production }),
  stack: field({
    type: "string",
    description: "the synthesized stack (cdktf.out/stacks/<stack>)",
    of: (e) => e.stack,
    env: (value) => ({ STACK: value, STACK_DIR: `cdktf.out/stacks/${value}` }),
  }),
  region: field({ type: "string", description: "where STS and Secrets Manager are called", of: (e) => e.region }),
  plan_role_arn: field({ type: "string", description: "ci.planRoleArn (trusts <environment>-plan only)", of: (e) => e.planRoleArn }),
  deploy_role_arn: field({ type: "string", description: "ci.deployRoleArn (trusts <environment>-deploy only)", of: (e) => e.deployRoleArn }),
  seed_role_arn: field({ type: "string", description: "database.seederRoleArn (trusts <environment>-seed only)", of: (e) => e.seedRoleArn }),
  runner_label: field({
    type: "string",
    description: "ci.runnerLabel: the self-hosted runner inside the environment's VPC",
    of: (e) => e.runnerLabel ?? MISSING_RUNNER_LABEL,
  }),
  seed_secret_id: field({ type: "string", description: "connectionSecret.seederName", of: (e) => e.seedSecretId, env: (value) => ({ SEED_SECRET_ID: value }) }),
} as const;

export type EntryFieldName = keyof typeof ENTRY_FIELDS;

/** One matrix entry: the inputs of .github/workflows/deploy-environment.yml, by name. */
export type EnvironmentEntry = { readonly [K in EntryFieldName]: ReturnType<(typeof ENTRY_FIELDS)[K]["of"]> };

const FIELD_NAMES = Object.keys(ENTRY_FIELDS) as EntryFieldName[];

export function environmentEntry(environment: PipelineEnvironment): EnvironmentEntry {
  return Object.fromEntries(FIELD_NAMES.map((name) => [name, ENTRY_FIELDS[name].of(environment)])) as EnvironmentEntry;
}

/** The workflow_call inputs of the entry: type and description of each field. */
export function entryInputs(): { readonly [K in EntryFieldName]: { readonly type: (typeof ENTRY_FIELDS)[K]["type"]; readonly description: string } } {
  return Object.fromEntries(FIELD_NAMES.map((name) => [name, { type: ENTRY_FIELDS[name].type, description: ENTRY_FIELDS[name].description }])) as never;
}

/** The job environment variables of the entry, each from the expression `expression(field)` gives. */
export function entryEnv(expression: (name: EntryFieldName) => string): Record<string, string> {
  return Object.assign({}, ...FIELD_NAMES.map((name) => ENTRY_FIELDS[name].env?.(expression(name)) ?? {}));
}
