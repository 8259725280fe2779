import { z } from "zod";
import { AUTHENTICATION_MODES, DATABASE_DEFAULTS } from "../modules/database/variables";
import { ATLAS_AWS_REGION_NAMES } from "../atlas/regions";
import { ATLAS_SNAPSHOT_FREQUENCIES, POLICY_SNAPSHOT_FREQUENCIES } from "../atlas/snapshot-frequencies";
import * as field from "./fields";

const BACKUP = DATABASE_DEFAULTS.backup;

/*
 * The schema of one environment file, config/<environment>.json. Defaults are the database
 * module's (the production values of the story); unknown fields are refused so that a typo
 * cannot pass silently.
 */

const autoScaling = z
  .strictObject({
    diskGb: z.boolean().default(DATABASE_DEFAULTS.atlas.autoScaling.diskGb).describe("true or false: let Atlas grow storage before the disk fills"),
    compute: z
      .strictObject({
        minTier: field.dedicatedTier,
        maxTier: field.dedicatedTier,
        scaleDown: z.boolean().default(DATABASE_DEFAULTS.atlas.autoScaling.compute.scaleDown).describe("true or false: allow scaling back down to minTier"),
      })
      .optional()
      .describe("an object {minTier, maxTier, scaleDown}; omit it to keep the tier fixed"),
  })
  .describe("an object {diskGb, compute}");

export const atlasSection = z
  .strictObject({
    projectName: field.atlasProjectName.optional().describe(`${field.atlasProjectName.description}; default "audio-pipeline-<environment>"`),
    clusterName: field.atlasClusterName.optional().describe(`${field.atlasClusterName.description}; default "audio-pipeline-<environment>"`),
    tier: field.clusterTier
      .optional()
      .describe(
        `${field.clusterTier.description}; default ${DATABASE_DEFAULTS.atlas.tier}. With compute auto-scaling omit it (the cluster starts at compute.minTier) or set it equal to compute.minTier`,
      ),
    mongoDbMajorVersion: field.mongoDbMajorVersion.default(DATABASE_DEFAULTS.atlas.mongoDbMajorVersion),
    electableNodes: z
      .union([z.literal(3), z.literal(5), z.literal(7)])
      .default(DATABASE_DEFAULTS.atlas.electableNodes)
      .describe("3, 5 or 7 electable nodes (a replica set needs an odd number)"),
    terminationProtection: z
      .boolean()
      .default(DATABASE_DEFAULTS.atlas.terminationProtection)
      .describe("true or false: Atlas refuses to delete the cluster while this is on"),
    autoScaling: autoScaling.prefault({}),
    encryptionAtRest: z
      .boolean()
      .optional()
      .describe("true or false: encrypt the cluster's storage with a KMS key of this stack (customer-managed); default: the value of `production`"),
    pinFcvUntil: z.iso
      .datetime({ error: "must be an ISO 8601 UTC date-time such as 2027-01-31T00:00:00Z" })
      .optional()
      .describe(
        "an ISO 8601 UTC date-time at most 4 weeks ahead (Atlas limit): keeps the feature compatibility version pinned until then, so a major upgrade can be rolled back; omit to leave it unpinned",
      ),
    pinFcvSince: z.iso
      .datetime({ error: "must be an ISO 8601 UTC date-time such as 2027-01-03T00:00:00Z" })
      .optional()
      .describe(
        "an ISO 8601 UTC date-time, required with pinFcvUntil: when the current pin was first applied; Atlas never extends a pin beyond 4 weeks from it, so keep it when the pin is extended and remove it with pinFcvUntil",
      ),
  })
  .describe("an object describing the Atlas project and cluster");

export const databaseSection = z
  .strictObject({
    name: field.databaseName.default(DATABASE_DEFAULTS.database.name),
    authentication: z
      .enum(AUTHENTICATION_MODES)
      .default(DATABASE_DEFAULTS.database.authentication)
      .describe('"aws-iam" (database users are IAM roles, no password anywhere) or "password" (generated passwords)'),
    appRoleArn: field.iamRoleArn
      .optional()
      .describe(
        `${field.iamRoleArn.description}: the application's role, the only reader of its secret (both modes) and its database user (aws-iam mode); default: a flagged placeholder`,
      ),
    seederRoleArn: field.iamRoleArn
      .optional()
      .describe(
        `${field.iamRoleArn.description}: the seeder's role, also the CI seed job's, the only reader of its secret (both modes) and its database user (aws-iam mode); default: a flagged placeholder`,
      ),
    nextAppRoleArn: field.iamRoleArn
      .optional()
      .describe(`${field.iamRoleArn.description}: step 1 of replacing appRoleArn (docs/runbook-rotation.md): the new role may read the app secret beside the current one; in step 2 it becomes appRoleArn and this field goes`),
    nextSeederRoleArn: field.iamRoleArn
      .optional()
      .describe(`${field.iamRoleArn.description}: step 1 of replacing seederRoleArn, as nextAppRoleArn for the seeder's secret`),
    username: field.databaseUsername.default(DATABASE_DEFAULTS.database.username).describe(`${field.databaseUsername.description} (password mode)`),
    seederUsername: field.databaseUsername.default(DATABASE_DEFAULTS.database.seederUsername).describe(`${field.databaseUsername.description} (password mode)`),
    retainPasswordUsers: z
      .boolean()
      .default(DATABASE_DEFAULTS.database.retainPasswordUsers)
      .describe(
        'true or false (aws-iam mode): keep the password users beside the IAM users, step 1 of switching a deployed environment to "aws-iam" (docs/connecting.md); remove it in step 2',
      ),
    seederTrustedRoleArns: z
      .array(field.iamRoleArn)
      .refine((arns) => new Set(arns).size === arns.length, { error: "must not list a role twice" })
      .default([])
      .describe(
        "a list of IAM role ARNs (e.g. a bastion's) that may also assume the seeder role, besides the `<environment>-seed` GitHub environment, for seeding by hand from inside the VPC (docs/seeding.md); default none",
      ),
    passwordVersion: z
      .number()
      .int()
      .min(1)
      .default(DATABASE_DEFAULTS.database.passwordVersion)
      .describe("a whole number, 1 or more (password mode): raise it to rotate both passwords in a reviewed change"),
  })
  .describe("an object describing the database, its users and how they authenticate");

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


export const backupSection = z
  .strictObject({
    pointInTimeRestore: z
      .boolean()
      .default(BACKUP.pointInTimeRestore)
      .describe("true or false: continuous cloud backup (point-in-time restore)"),
    restoreWindowDays: field.positiveWholeNumber("days, at most hourlyRetentionDays").default(BACKUP.restoreWindowDays),
    referenceHourOfDay: field.wholeNumber(0, 23, "hours (UTC)").default(BACKUP.referenceHourOfDay),
    hourlyEveryHours: z
      .union([z.literal(1), z.literal(2), z.literal(4), z.literal(6), z.literal(8), z.literal(12)])
      .default(BACKUP.hourlyEveryHours)
      .describe("1, 2, 4, 6, 8 or 12 (hours between hourly snapshots)"),
    // Atlas requires a less frequent snapshot to be kept at least as long as a more frequent one.
    hourlyRetentionDays: field.positiveWholeNumber("days").default(BACKUP.hourlyRetentionDays),
    dailyRetentionDays: field.positiveWholeNumber("days, at least hourlyRetentionDays").default(BACKUP.dailyRetentionDays),
    weeklyRetentionWeeks: field.positiveWholeNumber("weeks, at least dailyRetentionDays").default(BACKUP.weeklyRetentionWeeks),
    monthlyRetentionMonths: field.positiveWholeNumber("months, at least weeklyRetentionWeeks").default(BACKUP.monthlyRetentionMonths),
    retainBackupsAfterClusterDeletion: z
      .boolean()
      .default(BACKUP.retainBackupsAfterClusterDeletion)
      .describe("true or false: keep snapshots when the cluster is deleted"),
    copyToRegions: z
      .array(z.string())
      .default([...BACKUP.copyToRegions])
      .describe(
        `a list of Atlas AWS region names other than the cluster's (${ATLAS_AWS_REGION_NAMES.slice(0, 4).join(", ")}, ...) that keep a copy of the snapshots (and of the oplog with pointInTimeRestore); [] for none`,
      ),
    copyFrequencies: z
      .array(z.enum(ATLAS_SNAPSHOT_FREQUENCIES))
      .min(1)
      .default([...BACKUP.copyFrequencies])
      .describe(`a non-empty list of the snapshot kinds copied to copyToRegions, among those the policy takes: ${POLICY_SNAPSHOT_FREQUENCIES.join(", ")}`),
  })
  .describe("an object describing backups");

const connectionSecret = z
  .strictObject({
    name: field.secretName.optional().describe(`${field.secretName.description}; default "audio-pipeline-<environment>/mongodb-uri"`),
    seederName: field.secretName.optional().describe(`${field.secretName.description}; default "audio-pipeline-<environment>/mongodb-seed-uri"`),
    recoveryWindowDays: field.wholeNumber(7, 30, "days").default(DATABASE_DEFAULTS.connectionSecret.recoveryWindowDays),
  })
  .describe("an object {name, seederName, recoveryWindowDays}");

const MONITORING = DATABASE_DEFAULTS.monitoring;

const monitoring = z
  .strictObject({
    alertEmails: z
      .array(field.emailAddress)
      .refine((emails) => new Set(emails).size === emails.length, { error: "must not list an address twice" })
      .optional()
      .describe("a list of e-mail addresses for CloudWatch alarms (SNS) and Atlas alerts; none: Atlas alerts go to the project owners"),
    alarmHttpsEndpoint: field.httpsUrl.optional(),
    atlasWebhookUrl: field.httpsUrl.optional(),
    packetsDroppedThreshold: field.positiveWholeNumber("packets per 5 minutes").default(MONITORING.packetsDroppedThreshold),
    expectTraffic: z
      .boolean()
      .default(MONITORING.expectTraffic)
      .describe("true or false: alarm when no client is connected through the endpoint"),
    idlePeriods: field.wholeNumber(1, 288, "5-minute periods").default(MONITORING.idlePeriods),
    replicationLagSeconds: field.positiveWholeNumber("seconds").default(MONITORING.replicationLagSeconds),
    diskUsedPercent: field.wholeNumber(1, 99, "percent").default(MONITORING.diskUsedPercent),
    connectionsPercent: field.wholeNumber(1, 99, "percent").default(MONITORING.connectionsPercent),
    queryTargetingRatio: field.positiveWholeNumber("documents scanned per document returned").default(MONITORING.queryTargetingRatio),
    logExport: z.boolean().default(MONITORING.logExport).describe("true or false: export the Atlas logs to an S3 bucket"),
    logRetentionDays: field.positiveWholeNumber("days").default(MONITORING.logRetentionDays),
  })
  .describe("an object describing alarms, alerts and log export");

const state = z
  .strictObject({
    bucket: field.s3BucketName,
    key: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()/-]{1,1024}$/, { error: "must be an S3 object key" })
      .optional()
      .describe('an S3 object key; default "audio-pipeline-<environment>/terraform.tfstate"'),
    region: field.awsRegion.optional().describe(`${field.awsRegion.description}; default: the environment's region`),
    noncurrentVersionRetentionDays: field
      .wholeNumber(1, 3650, "days")
      .default(90)
      .describe("a whole number of days from 1 to 3650: how long the bucket keeps a state object's older versions (the bootstrap stack's lifecycle rule); environments sharing a bucket must agree; default 90"),
  })
  .describe("an object {bucket, key, region}: S3 remote state; omit for a local state file (refused for production)");

const aws = z
  .strictObject({
    accountId: field.awsAccountId.optional().describe(`${field.awsAccountId.description}; default: a flagged placeholder`),
    githubOidcProviderArn: field.githubOidcProviderArn
      .optional()
      .describe(
        `${field.githubOidcProviderArn.description}, in this account: the bootstrap stack adopts it instead of creating one (an account holds one per URL); every environment of the account must agree; default: the bootstrap stack creates it`,
      ),
    bootstrapState: z
      .enum(["local", "s3"])
      .default("local")
      .describe(
        '"local" or "s3": where the account\'s bootstrap stack keeps its own state: "local" until its first apply has created the state bucket, then "s3" (the first state bucket of the account, with use_lockfile) after `terraform init -migrate-state` (docs/day-0.md); every environment of the account must agree',
      ),
    permissionsBoundaryArn: field.iamPolicyArn
      .optional()
      .describe(
        `${field.iamPolicyArn.description}, in this account: the permissions boundary of every role this environment's stack creates, which its deploy role can neither create a role without nor change; default: "arn:aws:iam::<account>:policy/audio-pipeline-<environment>-boundary", created by the bootstrap stack`,
      ),
  })
  .describe("an object {accountId, githubOidcProviderArn, bootstrapState, permissionsBoundaryArn}: the AWS account and its day-0 IAM pieces");

const github = z
  .strictObject({
    repository: field.githubRepository
      .optional()
      .describe(`${field.githubRepository.description}: the CI roles trust only its GitHub environments; every environment file must name the same one; default: a flagged placeholder`),
  })
  .describe("an object {repository}: the GitHub repository whose workflows plan, deploy and seed");

const ci = z
  .strictObject({
    planRoleArn: field.iamRoleArn
      .optional()
      .describe(`${field.iamRoleArn.description}: the read-only role CI plans this environment with; default: a flagged placeholder`),
    deployRoleArn: field.iamRoleArn
      .optional()
      .describe(`${field.iamRoleArn.description}: the role CI applies this environment with; default: a flagged placeholder`),
    pullRequestPlan: z
      .boolean()
      .optional()
      .describe(
        "true or false: pull requests plan this environment with its <env>-plan credentials, so its plan environment is open to every branch and password mode is refused; default: true when production is false; production cannot set it true",
      ),
    breakGlassRoleArn: field.iamRoleArn
      .optional()
      .describe(
        `${field.iamRoleArn.description}: the break-glass administrator role, the only principal besides the deploy role that may administer the stack's KMS keys and delete or re-policy its secrets (same account); none: the deploy role alone`,
      ),
    nextPlanRoleArn: field.iamRoleArn
      .optional()
      .describe(`${field.iamRoleArn.description}: step 1 of replacing planRoleArn (docs/runbook-rotation.md): allowed beside the current plan role; in step 2 it becomes planRoleArn and this field goes`),
    nextDeployRoleArn: field.iamRoleArn
      .optional()
      .describe(`${field.iamRoleArn.description}: step 1 of replacing deployRoleArn, as nextPlanRoleArn for the deploy role`),
    runnerLabel: field.runnerLabel.optional().describe(`${field.runnerLabel.description}; none: flagged, deploys stop before this environment`),
    deployAfter: field.environmentName
      .optional()
      .describe("the environment this one deploys after; default: production environments after every other, the others first"),
  })
  .describe("an object describing how CI plans, deploys and seeds this environment");

export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional().describe("a path to the JSON schema, for editors"),
    $comment: z.string().optional().describe("free text for readers"),
    environment: field.environmentName,
    production: z
      .boolean()
      .describe(
        "true or false, required: a production environment gets the stricter policy rules (point-in-time restore, termination protection, prevent_destroy, an alarm destination)",
      ),
    region: field.awsRegion.default(DATABASE_DEFAULTS.region),
    aws: aws.prefault({}),
    github: github.prefault({}),
    atlas: atlasSection.prefault({}),
    database: databaseSection.prefault({}),
    network,
    backup: backupSection.prefault({}),
    connectionSecret: connectionSecret.prefault({}),
    monitoring: monitoring.prefault({}),
    ci: ci.prefault({}),
    state: state.optional(),
  })
  .describe("an environment file");

/** An environment file as validated by the schema, before the defaults derived from its name. */
export type ParsedEnvironment = z.output<typeof environmentSchema>;

