import { z } from "zod";
import { defineRule } from "./config-rule";

/**
 * A production environment keeps its state in S3. A local state file lives on one machine: lose
 * it and Terraform no longer knows the cluster it created (and prod's state holds what is needed
 * to change or protect it).
 */
export const productionRemoteState = defineRule({
  id: "production-remote-state",
  reads: z.looseObject({ production: z.literal(true), state: z.unknown().optional() }),
  check({ state }) {
    if (state !== undefined) return [];
    return [
      {
        path: ["state"],
        value: undefined,
        message: 'a production environment needs remote state; allowed: {"bucket": "<your state bucket>"} (S3, encrypted, locked)',
      },
    ];
  },
});
