/*
 * The doctor's GitHub reads: GET only, with a bearer token (a test checks the stand-ins saw
 * nothing else). The Atlas Admin API goes through the one Atlas client, src/atlas-api/client.ts.
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
