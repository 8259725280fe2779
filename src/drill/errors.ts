/*
 * The drill's refusals and failures. A refusal (DrillRefusal) is raised before anything is
 * created: its name says which rule, its message names the option or field, the value and what
 * is allowed. Everything else that goes wrong after the first create is a DrillStepError, which
 * names the step, and always ends in the clean-up.
 */

export type RefusalName =
  | "UsageError"
  | "ProductionNotConfirmed"
  | "AtInTheFuture"
  | "AtOutsideRestoreWindow"
  | "NoPointInTimeRestore"
  | "BackupsDisabled"
  | "NoCompletedSnapshot"
  | "DrillAlreadyRunning"
  | "SourceClusterMissing"
  | "ProjectNotFound"
  | "ConfigInvalid";

/** Nothing was created: the drill refused to start. */
export class DrillRefusal extends Error {
  constructor(
    readonly refusal: RefusalName,
    message: string,
  ) {
    super(`${refusal}: ${message}`);
    this.name = "DrillRefusal";
  }
}

export type DrillStep = "create-cluster" | "wait-cluster" | "restore" | "wait-restore" | "verify" | "delete-cluster" | "confirm-deleted";

/** A step failed after the drill started creating; the clean-up still runs. */
export class DrillStepError extends Error {
  constructor(
    readonly step: DrillStep,
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = "DrillStepError";
  }
}

/** The total time limit (or the clean-up's) ran out while waiting. */
export class DrillTimeout extends DrillStepError {
  override name = "DrillTimeout";
}

/** SIGINT/SIGTERM (a cancelled job) arrived. */
export class DrillCancelled extends Error {
  override name = "DrillCancelled";
  constructor() {
    super("cancelled (SIGINT or SIGTERM)");
  }
}

/** A write the drill is not allowed to make: a bug, never an outcome to handle. */
export class DrillSafetyViolation extends Error {
  override name = "DrillSafetyViolation";
}
