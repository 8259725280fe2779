/** Why the bootstrap stacks cannot be generated safely; every problem at once, and nothing was synthesized. */
export class BootstrapError extends Error {
  constructor(readonly problems: readonly string[]) {
    super([`${problems.length} problem(s) in the bootstrap stacks; nothing was synthesized:`, ...problems.map((problem) => `  ${problem}`)].join("\n"));
    this.name = "BootstrapError";
  }
}
