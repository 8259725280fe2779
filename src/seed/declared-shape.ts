/**
 * The declared shape of the audio_pipeline database: the single source of truth for the
 * seeder and for the stack's collection-name output.
 */
export const COLLECTION_NAMES = ["calls", "contacts", "insights_aggregated", "processing_metrics"] as const;
