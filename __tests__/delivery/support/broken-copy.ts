import type { Workflow } from "./workflows";

/** A workflow as plain, writable data, for breaking a copy. */
export type Writable = Record<string, any> & { jobs: Record<string, Record<string, any> & { steps: Record<string, any>[] }> };

/** A deep copy of `workflow` with `change` applied: the property under test broken on purpose. */
export function broken(workflow: Workflow, change: (copy: Writable) => void): Workflow {
  const copy = structuredClone(workflow) as unknown as Writable;
  change(copy);
  return copy as unknown as Workflow;
}
