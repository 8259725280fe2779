import { z } from "zod";
import * as field from "./fields";

/*
 * The schema of one environment file, config/<environment>.json. Defaults are the production
 * values of the story; unknown fields are refused so that a typo cannot pass silently.
 */

const autoScaling = z
  .strictObject({
    diskGb: z.boolean().default(true).describe("true or false: let Atlas grow storage before the disk fills"),
    compute: z
      .strictObject({
        minTier: field.dedicatedTier,
        maxTier: field.dedicatedTier,
        scaleDown: z.boolean().default(true).describe("true or false: allow scaling back down to minTier"),
      })
      .optional()
      .describe("an object {minTier, maxTier, scaleDown}; omit it to keep the tier fixed"),
  })
  .describe("an object {diskGb, compute}");

const atlas = z
  .strictObject({
    projectName: field.atlasProjectName.default("audio-pipeline"),
    clusterName: field.atlasClusterName,
    tier: field.clusterTier.default("M10"),
    mongoDbMajorVersion: field.mongoDbMajorVersion.default("7.0"),
    electableNodes: z
      .union([z.literal(3), z.literal(5), z.literal(7)])
      .default(3)
      .describe("3, 5 or 7 electable nodes (a replica set needs an odd number)"),
    terminationProtection: z
      .boolean()
      .default(true)
      .describe("true or false: Atlas refuses to delete the cluster while this is on"),
    autoScaling: autoScaling.prefault({}),
  })
  .describe("an object describing the Atlas project and cluster");

const database = z
  .strictObject({
    name: field.databaseName.default("audio_pipeline"),
    username: field.databaseUsername.default("audio-pipeline-app"),
  })
  .describe("an object {name, username}");

const network = z
  .strictObject({
    vpcId: field.vpcId,
    vpcCidr: field.privateCidr,
    privateSubnetIds: z
      .array(field.subnetId)
      .min(1)
      .refine((ids) => new Set(ids).size === ids.length, { error: "must not list a subnet twice" })
      .describe("a non-empty list of distinct subnet ids, one per availability zone"),
    clientSecurityGroups: z
      .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, { error: "must be a short lower-case name" }), field.securityGroupId)
      .refine((groups) => Object.keys(groups).length > 0, { error: "must name at least one security group" })
      .describe('an object mapping a client name to its security group id, e.g. {"api": "sg-...", "worker": "sg-..."}'),
    accessListCidrs: z
      .array(field.privateCidr)
      .min(1)
      .optional()
      .describe("a non-empty list of private IPv4 CIDR blocks; defaults to [vpcCidr]"),
  })
  .describe("an object describing the existing VPC");


const backup = z
  .strictObject({
    pointInTimeRestore: z
      .boolean()
      .default(true)
      .describe("true or false: continuous cloud backup (point-in-time restore)"),
    restoreWindowDays: field.positiveWholeNumber("days, at most hourlyRetentionDays").default(7),
    referenceHourOfDay: field.wholeNumber(0, 23, "hours (UTC)").default(3),
    hourlyEveryHours: z
      .union([z.literal(1), z.literal(2), z.literal(4), z.literal(6), z.literal(8), z.literal(12)])
      .default(6)
      .describe("1, 2, 4, 6, 8 or 12 (hours between hourly snapshots)"),
    // Atlas requires a less frequent snapshot to be kept at least as long as a more frequent one.
    hourlyRetentionDays: field.positiveWholeNumber("days").default(7),
    dailyRetentionDays: field.positiveWholeNumber("days, at least hourlyRetentionDays").default(7),
    weeklyRetentionWeeks: field.positiveWholeNumber("weeks, at least dailyRetentionDays").default(4),
    monthlyRetentionMonths: field.positiveWholeNumber("months, at least weeklyRetentionWeeks").default(3),
    retainBackupsAfterClusterDeletion: z
      .boolean()
      .default(true)
      .describe("true or false: keep snapshots when the cluster is deleted"),
  })
  .describe("an object describing backups");

const connectionSecret = z
  .strictObject({
    name: field.secretName.default("audio-pipeline/mongodb-uri"),
    recoveryWindowDays: field.wholeNumber(7, 30, "days").default(7),
  })
  .describe("an object {name, recoveryWindowDays}");

const state = z
  .strictObject({
    bucket: field.s3BucketName,
    region: field.awsRegion.optional(),
  })
  .describe("an object {bucket, region}: S3 remote state; omit for a local state file");

export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional().describe("a path to the JSON schema, for editors"),
    $comment: z.string().optional().describe("free text for readers"),
    environment: field.environmentName,
    region: field.awsRegion.default("us-east-1"),
    atlas,
    database: database.prefault({}),
    network,
    backup: backup.prefault({}),
    connectionSecret: connectionSecret.prefault({}),
    state: state.optional(),
  })
  .describe("an environment file");

/** An environment file after validation, with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
