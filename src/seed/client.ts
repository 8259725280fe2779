import type { MongoClient, MongoClientOptions } from "mongodb";
import { MalformedConnectionStringError } from "./errors";
import { replaceUserinfo } from "./redact";
import { socketTimeoutMs } from "./time-limits";

/** Makes a driver client; injectable so tests can add command monitoring or simulate failures. */
export type MongoClientFactory = (uri: string, options: MongoClientOptions) => MongoClient;

/** Shown to Atlas in its logs and currentOp, so the seeder's commands are recognisable. */
const APP_NAME = "audio-pipeline-seed";

/**
 * @param timeoutMs server selection (`--timeout-ms`)
 * @param indexBuildTimeoutMs the longest command limit (`--index-build-timeout-ms`), which the socket backstop must outlast
 */
export function clientOptions(timeoutMs: number, indexBuildTimeoutMs: number): MongoClientOptions {
  return {
    appName: APP_NAME,
    serverSelectionTimeoutMS: timeoutMs,
    // A blackholed route (a PrivateLink address outside the VPC) would otherwise wait 30 s per try.
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: socketTimeoutMs(indexBuildTimeoutMs),
  };
}

/**
 * Constructs the client, which parses the URI without connecting. On a parse failure the
 * driver's message is not trusted (it can quote a fragment of a malformed password): the URI is
 * parsed again with placeholder credentials, and that second message, free of them, is reported.
 * If the placeholder version parses, the fault is in the credentials themselves.
 */
export function createClient(uri: string, options: MongoClientOptions, factory: MongoClientFactory): MongoClient {
  try {
    return factory(uri, options);
  } catch (error) {
    const withPlaceholder = replaceUserinfo(uri, "user:password");
    if (withPlaceholder === uri) throw new MalformedConnectionStringError(messageOf(error), false);
    try {
      // Parsing only: a client that never connected holds no resource to release.
      factory(withPlaceholder, options);
    } catch (placeholderError) {
      throw new MalformedConnectionStringError(messageOf(placeholderError), false);
    }
    throw new MalformedConnectionStringError("the username or password is not valid in a URI", true);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
