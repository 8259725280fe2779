import type { z } from "zod";
import type { ConfigIssue } from "../config-issue";

/**
 * A check that spans several fields of an environment file. It runs whenever the fields it
 * `reads` are valid, even if other parts of the file are not, so one synth reports every
 * problem at once.
 */
export interface ConfigRule<Input> {
  /** Stable identifier, quoted in tests and docs. */
  readonly id: string;
  /** Schema of the fields the rule reads; defaults are applied as in the full schema. */
  readonly reads: z.ZodType<Input>;
  check(input: Input): ConfigIssue[];
}

/** Lets a list hold rules of different input types. */
export function defineRule<Input>(rule: ConfigRule<Input>): ConfigRule<unknown> {
  return rule as ConfigRule<unknown>;
}
