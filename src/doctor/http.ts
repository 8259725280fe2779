import { createHash, randomBytes } from "node:crypto";

/*
 * The doctor's HTTP reads: GET only (a test checks the stand-ins saw nothing else). GitHub takes a
 * bearer token; the Atlas Admin API takes the API key through HTTP digest authentication
 * (RFC 7616, MD5 with qop=auth, as Atlas answers in its WWW-Authenticate challenge).
 */

export interface HttpAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Thrown when the service cannot be reached at all (offline, DNS, refused). */
export class Unreachable extends Error {}

async function getOnce(url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, { method: "GET", headers, signal: AbortSignal.timeout(20_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Unreachable(`cannot reach ${new URL(url).origin} (${cause?.code ?? cause?.message ?? (error as Error).message})`);
  }
}

async function answer(response: Response): Promise<HttpAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: response.status, body };
}

/** GET with a bearer token. */
export async function getWithToken(url: string, token: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return answer(await getOnce(url, { Authorization: `Bearer ${token}`, ...headers }));
}

const md5 = (text: string) => createHash("md5").update(text).digest("hex");

/** The fields of a `WWW-Authenticate: Digest ...` challenge. */
export function parseChallenge(header: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of header.replace(/^Digest\s+/i, "").matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) fields[match[1].toLowerCase()] = match[2] ?? match[3];
  return fields;
}

/** The Authorization header answering a digest challenge for GET `uri`. */
export function digestAuthorization(challenge: Record<string, string>, username: string, password: string, uri: string, cnonce = randomBytes(8).toString("hex")): string {
  const nc = "00000001";
  const ha1 = md5(`${username}:${challenge.realm}:${password}`);
  const ha2 = md5(`GET:${uri}`);
  const qop = (challenge.qop ?? "").split(",").map((value) => value.trim()).includes("auth") ? "auth" : undefined;
  const response = qop ? md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:${qop}:${ha2}`) : md5(`${ha1}:${challenge.nonce}:${ha2}`);
  const parts = [`username="${username}"`, `realm="${challenge.realm}"`, `nonce="${challenge.nonce}"`, `uri="${uri}"`, `response="${response}"`, `algorithm=MD5`];
  if (qop) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (challenge.opaque) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(", ")}`;
}

/** GET with HTTP digest authentication: one unauthenticated request for the challenge, then the answer. */
export async function getWithDigest(url: string, username: string, password: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const first = await getOnce(url, headers);
  const challenge = first.headers.get("www-authenticate");
  if (first.status !== 401 || !challenge || !/^Digest/i.test(challenge)) return answer(first);
  await first.arrayBuffer();
  const parsed = new URL(url);
  return answer(await getOnce(url, { ...headers, Authorization: digestAuthorization(parseChallenge(challenge), username, password, `${parsed.pathname}${parsed.search}`) }));
}
