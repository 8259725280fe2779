/*
 * The document-count check of a restored copy. The source is counted now, not at the restore
 * point (MongoDB keeps no history that old to read at), so the difference is what was written or
 * deleted since the restore point plus any loss. The tolerance bounds it: at most
 * `percent` of the source's count, and never less than `documents` (so a small, busy collection
 * does not fail on a handful of new documents). Stated in docs/operations.md.
 */

export interface CountTolerance {
  /** Percent of the source's count. @default 5 */
  readonly percent: number;
  /** Absolute floor, in documents. @default 100 */
  readonly documents: number;
}

export const DEFAULT_COUNT_TOLERANCE: CountTolerance = { percent: 5, documents: 100 };

export interface CollectionCount {
  readonly collection: string;
  readonly source: number;
  /** undefined when the collection is missing from the copy. */
  readonly restored: number | undefined;
  readonly allowedDifference: number;
  readonly ok: boolean;
}

export function allowedDifference(source: number, tolerance: CountTolerance): number {
  return Math.max(tolerance.documents, Math.floor((source * tolerance.percent) / 100));
}

export function compareCounts(
  collections: readonly string[],
  source: ReadonlyMap<string, number>,
  restored: ReadonlyMap<string, number>,
  tolerance: CountTolerance,
): CollectionCount[] {
  return collections.map((collection) => {
    const sourceCount = source.get(collection) ?? 0;
    const restoredCount = restored.get(collection);
    const allowed = allowedDifference(sourceCount, tolerance);
    return {
      collection,
      source: sourceCount,
      restored: restoredCount,
      allowedDifference: allowed,
      ok: restoredCount !== undefined && Math.abs(sourceCount - restoredCount) <= allowed,
    };
  });
}
