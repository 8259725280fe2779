import type { ClusterDescription, ResourceTag } from "../atlas-api/resources";
import { DrillSafetyViolation } from "./errors";

/*
 * What the drill owns, and the guard every write goes through. A cluster is the drill's only if
 * both hold: its name has the `drill-` prefix, and its tags (written by the drill when it created
 * it: the drill's own record, kept with the cluster so that a later run finds it after a crash)
 * say `purpose = restore-drill` with a run id equal to the name's suffix. A cluster someone named
 * `drill-...` by hand has no such tags and is never touched.
 */

export const DRILL_PREFIX = "drill-";
export const TAG = {
  purpose: "purpose",
  runId: "drill-run-id",
  source: "drill-source-cluster",
  expiresAt: "drill-expires-at",
} as const;
export const DRILL_PURPOSE = "restore-drill";

/** A run id as it may appear in a cluster name: lower-case letters, digits and hyphens. */
export const RUN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

export function drillClusterName(runId: string): string {
  return `${DRILL_PREFIX}${runId}`;
}

/** The temporary read-only database user the verification signs in with (scoped to the drill cluster). */
export function verifierUsername(runId: string): string {
  return `${DRILL_PREFIX}${runId}-verify`;
}

export function drillTags(runId: string, sourceCluster: string, expiresAt: Date): ResourceTag[] {
  return [
    { key: TAG.purpose, value: DRILL_PURPOSE },
    { key: TAG.runId, value: runId },
    { key: TAG.source, value: sourceCluster },
    { key: TAG.expiresAt, value: expiresAt.toISOString() },
  ];
}

function tag(cluster: ClusterDescription, key: string): string | undefined {
  return cluster.tags?.find((candidate) => candidate.key === key)?.value;
}

/** The run id of a cluster this drill created (name prefix and its tags agree), else undefined. */
export function drillRunIdOf(cluster: ClusterDescription): string | undefined {
  if (!cluster.name.startsWith(DRILL_PREFIX)) return undefined;
  const runId = cluster.name.slice(DRILL_PREFIX.length);
  if (tag(cluster, TAG.purpose) !== DRILL_PURPOSE || tag(cluster, TAG.runId) !== runId) return undefined;
  return runId;
}

/** When a drill cluster's own run stops counting as running (its total time limit plus clean-up). */
export function drillExpiry(cluster: ClusterDescription): Date | undefined {
  const value = tag(cluster, TAG.expiresAt);
  const date = value === undefined ? undefined : new Date(value);
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * Throws unless `name` is a cluster this run may write to: the drill prefix, never the
 * environment's own cluster, and the one name this run created (its record).
 */
export function assertDrillTarget(name: string, sourceCluster: string, ownName: string): void {
  if (name === sourceCluster) throw new DrillSafetyViolation(`refusing to write to "${name}": it is the environment's own cluster`);
  if (!name.startsWith(DRILL_PREFIX)) throw new DrillSafetyViolation(`refusing to write to "${name}": not a ${DRILL_PREFIX}* cluster`);
  if (name !== ownName) throw new DrillSafetyViolation(`refusing to write to "${name}": this drill created "${ownName}", not it`);
}
