import DigestClient from "digest-fetch";

/*
 * One small client for the MongoDB Atlas Administration API v2, shared by every tool that talks
 * to Atlas outside Terraform (the restore drill, and the doctor with `readOnly: true`). API keys sign in
 * with HTTP digest authentication, done by `digest-fetch` (3.1.1, ISC, about two million
 * downloads a month, four small pure-JS dependencies, installs offline from the lockfile): it
 * answers the 401 challenge and reuses the nonce with a rising nonce count, which is all the
 * Admin API asks for. The client adds the base-URL override (loopback in tests), the versioned
 * media type, a time limit per request, and errors that name the call and Atlas's error code,
 * never a key.
 */

export const DEFAULT_ATLAS_BASE_URL = "https://cloud.mongodb.com";
/** The API's stable resource version for most endpoints (Accept: application/vnd.atlas.<version>+json). */
export const DEFAULT_API_VERSION = "2023-01-01";
const API_PREFIX = "/api/atlas/v2";
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Answers worth asking again (rate limit, a gateway or the service briefly unavailable). */
const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** A call Atlas answered with an error status. */
export class AtlasApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** Atlas's errorCode (e.g. CLUSTER_NOT_FOUND), when the body had one. */
    readonly errorCode: string | undefined,
    detail: string | undefined,
  ) {
    super(`Atlas Admin API ${method} ${path} answered ${status}${errorCode ? ` ${errorCode}` : ""}${detail ? `: ${detail}` : ""}`);
    this.name = "AtlasApiError";
  }
}

/** The client could not be set up (missing keys, a bad base URL). */
export class AtlasClientConfigError extends Error {
  override name = "AtlasClientConfigError";
}

export interface AtlasClientOptions {
  /** Scheme and host, e.g. https://cloud.mongodb.com or http://127.0.0.1:PORT for a stand-in. */
  readonly baseUrl: string;
  readonly publicKey: string;
  readonly privateKey: string;
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /**
   * Further tries of a GET after a transient answer (429, 5xx) or no answer; writes are never
   * repeated (a repeated create or restore could do the thing twice).
   * @default 3
   */
  readonly getRetries?: number;
  /** Wait before the n-th retry: n times this. @default 2000 */
  readonly retryDelayMs?: number;
  /**
   * Refuse every method but GET before anything is sent: for read-only tools (the doctor), so
   * that "it never writes" is a property of the client, not of each caller.
   * @default false
   */
  readonly readOnly?: boolean;
}

export interface RequestOptions {
  /** @default DEFAULT_API_VERSION */
  readonly version?: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | boolean>>;
}

/** Environment variable names, the same the mongodbatlas Terraform provider reads. */
export const ATLAS_ENV = {
  baseUrl: "MONGODB_ATLAS_BASE_URL",
  publicKey: "MONGODB_ATLAS_PUBLIC_API_KEY",
  privateKey: "MONGODB_ATLAS_PRIVATE_API_KEY",
} as const;

/** Options from the environment: keys required, base URL defaulting to the real service. */
export function atlasClientOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, overrides: Partial<AtlasClientOptions> = {}): AtlasClientOptions {
  const missing = [ATLAS_ENV.publicKey, ATLAS_ENV.privateKey].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new AtlasClientConfigError(`${missing.join(" and ")} must be set: the Atlas API key the drill signs in with (docs/operations.md, "Credentials")`);
  }
  return { baseUrl: env[ATLAS_ENV.baseUrl] || DEFAULT_ATLAS_BASE_URL, publicKey: env[ATLAS_ENV.publicKey]!, privateKey: env[ATLAS_ENV.privateKey]!, ...overrides };
}

export class AtlasAdminClient {
  private readonly origin: string;
  private readonly digest: DigestClient;
  private readonly requestTimeoutMs: number;
  private readonly getRetries: number;
  private readonly retryDelayMs: number;
  private readonly readOnly: boolean;

  constructor(options: AtlasClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new AtlasClientConfigError(`${ATLAS_ENV.baseUrl}: got "${options.baseUrl}"; allowed: an http(s) URL such as ${DEFAULT_ATLAS_BASE_URL}`);
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.pathname.replace(/\/+$/, "") !== "") {
      throw new AtlasClientConfigError(`${ATLAS_ENV.baseUrl}: got "${options.baseUrl}"; allowed: scheme and host only, such as ${DEFAULT_ATLAS_BASE_URL}`);
    }
    this.origin = url.origin;
    this.digest = new DigestClient(options.publicKey, options.privateKey);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.getRetries = options.getRetries ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 2_000;
    this.readOnly = options.readOnly ?? false;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("GET", path, options);
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("POST", path, { ...options, body });
  }

  delete(path: string, options: RequestOptions = {}): Promise<unknown> {
    return this.request("DELETE", path, options);
  }

  /** `path` is below /api/atlas/v2, e.g. `/groups/{groupId}/clusters`. A GET is tried again after a transient failure. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    if (this.readOnly && method !== "GET") throw new AtlasClientConfigError(`refusing ${method} ${API_PREFIX}${path}: this client is read-only`);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, options);
      } catch (error) {
        const transient = !(error instanceof AtlasApiError) || TRANSIENT_STATUSES.has(error.status);
        if (method !== "GET" || !transient || attempt >= this.getRetries) throw error;
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs * (attempt + 1)));
      }
    }
  }

  private async once<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const mediaType = `application/vnd.atlas.${options.version ?? DEFAULT_API_VERSION}+json`;
    const query = options.query ? `?${new URLSearchParams(Object.entries(options.query).map(([key, value]): [string, string] => [key, String(value)]))}` : "";
    const url = `${this.origin}${API_PREFIX}${path}${query}`;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    let response: Response;
    try {
      // A fresh options object per call: digest-fetch writes the Authorization header into it.
      response = (await this.digest.fetch(url, {
        factory: () => ({
          method,
          headers: { Accept: mediaType, ...(body === undefined ? {} : { "Content-Type": mediaType }) },
          body,
          signal: AbortSignal.timeout(this.requestTimeoutMs),
        }),
      })) as Response;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Atlas Admin API ${method} ${API_PREFIX}${path}: no answer from ${this.origin} (${reason})`);
    }
    const text = await response.text();
    const json = text.length > 0 ? parseJson(text) : undefined;
    if (!response.ok) {
      const error = (json ?? {}) as { errorCode?: unknown; detail?: unknown; reason?: unknown };
      throw new AtlasApiError(
        method,
        `${API_PREFIX}${path}`,
        response.status,
        typeof error.errorCode === "string" ? error.errorCode : undefined,
        typeof error.detail === "string" ? error.detail : typeof error.reason === "string" ? error.reason : undefined,
      );
    }
    return json as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when Atlas said the thing asked for does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof AtlasApiError && error.status === 404;
}
