/** One resource block of a synthesized stack. */
export interface ResourceBlock {
  readonly type: string;
  readonly name: string;
  /** Address as Terraform prints it: `type.name`. */
  readonly address: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** The parts of a synthesized stack the rules read. */
export interface StackJson {
  readonly provider?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Record<string, unknown>>>>>;
  readonly output?: Readonly<Record<string, Record<string, unknown>>>;
}

/** What a rule knows about the stack besides its JSON. */
export interface PolicyContext {
  /** Production stacks get the stricter rules (point-in-time restore, termination protection, ...). */
  readonly production: boolean;
}

/** A violation: which resource (if any) and what is wrong with it. */
export interface PolicyFinding {
  /** `type.name` of the offending resource; absent for stack-wide findings. */
  readonly address?: string;
  readonly message: string;
}

/**
 * A policy rule, in the spirit of cdk-nag: a stable id, a one-line rationale, a level, and a
 * pure check over the synthesized stack.
 */
export interface PolicyRule {
  readonly id: string;
  /** Why the rule matters, in one line. */
  readonly rationale: string;
  /** An error fails synth; a warning is shown. */
  readonly level: "error" | "warning";
  check(stack: StackJson, context: PolicyContext): PolicyFinding[];
}

/** Every resource block of the given types. */
export function resourcesOfType(stack: StackJson, ...types: string[]): ResourceBlock[] {
  return types.flatMap((type) =>
    Object.entries(stack.resource?.[type] ?? {}).map(([name, config]) => ({ type, name, address: `${type}.${name}`, config })),
  );
}
