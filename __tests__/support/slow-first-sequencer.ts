import * as path from "node:path";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The files that run longest, because they wait on child processes: the change tests (a whole
 * test run in a changed copy of the project), the runbook rehearsal and the AWS-part plan (real
 * Terraform, the interrupted-apply rehearsal). They start first, one per worker, so that the short files fill the time around them
 * instead of the run ending on one of them alone. Vitest does this by itself from the durations
 * it cached the last time, but a fresh clone (CI) has no such cache.
 */
export const SLOW_FIRST = ["__tests__/changes/", "__tests__/runbooks/", "__tests__/terraform/aws-part-plan.test.ts", "__tests__/delivery/interrupted-apply.test.ts"];

/** Vitest's own order (cached durations, else file size), with the files of SLOW_FIRST in front, in that order. */
export class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const relative = path.relative(this.ctx.config.root, file.moduleId).split(path.sep).join("/");
      const index = SLOW_FIRST.findIndex((prefix) => relative.startsWith(prefix));
      return index === -1 ? SLOW_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep Vitest's order.
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}
