/**
 * The seeder's exit codes; plan follows `terraform plan -detailed-exitcode` (0 nothing to do,
 * 2 changes). A module of its own: the CI gate (.github/scripts/seed-plan.ts) and its tests read
 * them without loading the seeder.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  changesPending: 2,
  /** An existing index or collection contradicts the declared shape, or a check could not finish; nothing was changed. */
  conflict: 3,
  /** plan only: an index build is still in progress; plan again when it ends. */
  buildInProgress: 4,
} as const;
