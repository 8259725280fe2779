/**
 * MongoDB major versions Atlas offers for new dedicated clusters.
 * 6.0 reached end of life in July 2025; 7.0 is supported until August 2027.
 *
 * Source: mongodb.com/legal/support-policy/lifecycles, checked 2026.
 */
export const OFFERED_MONGODB_VERSIONS = ["7.0", "8.0"] as const;

export type MongoDbMajorVersion = (typeof OFFERED_MONGODB_VERSIONS)[number];
