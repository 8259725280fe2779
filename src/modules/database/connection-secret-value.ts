import { z } from "zod";
import { AUTHENTICATION_MODES } from "./variables";

/*
 * The connection-secret contract: the JSON value of the secrets this module writes
 * (connection-secret.ts) and every client reads (the seeder, src/seed/connection.ts; the
 * application; the doctor and restore drill). One schema for the writer and the readers, so a
 * field cannot be renamed on one side only. Free of cdktf: readers load it without the bindings.
 */

const text = z.string().min(1);

/** Every field a secret value may hold, each once. */
const FIELDS = {
  /** The private SRV URI: with the password in password mode; with MONGODB-AWS options and no credential in aws-iam mode. */
  uri: text,
  /** The database user (password mode). */
  username: text,
  /** The IAM role the database user is named after (aws-iam mode); the client must run as it. */
  roleArn: text,
  authentication: z.enum(AUTHENTICATION_MODES),
  database: text,
  environment: text,
  cluster: text,
} as const;

/*
 * What the stack writes, by authentication mode. The field order is the order of the JSON in the
 * secret (Terraform's jsonencode keeps it): changing it changes every stack's plan.
 */
const passwordValue = z.strictObject({
  uri: FIELDS.uri,
  username: FIELDS.username,
  database: FIELDS.database,
  environment: FIELDS.environment,
  cluster: FIELDS.cluster,
  authentication: z.literal("password"),
});
const awsIamValue = z.strictObject({
  uri: FIELDS.uri,
  authentication: z.literal("aws-iam"),
  roleArn: FIELDS.roleArn,
  database: FIELDS.database,
  environment: FIELDS.environment,
  cluster: FIELDS.cluster,
});

/** The value the stack writes: exactly these fields, per mode (another field is an error, not dropped). */
export const connectionSecretValue = z.discriminatedUnion("authentication", [passwordValue, awsIamValue]);
export type ConnectionSecretValue = z.output<typeof connectionSecretValue>;

/**
 * What a reader accepts: the same fields, of which only `uri` is required, so that a secret
 * written by hand (a restore drill against a scratch cluster, say) or by an older stack still
 * works; a reader that falls back for a missing field says so in its help. A field that is
 * present must be valid. Fields a reader does not know are ignored.
 */
export const readableConnectionSecret = z.object(FIELDS).partial().required({ uri: true });
export type ReadableConnectionSecret = z.output<typeof readableConnectionSecret>;
