/*
 * Redaction of credentials from every line the seeder prints, errors and stack traces included.
 *
 * Why not only mongodb-connection-string-url's redactConnectionString (which the driver uses):
 * it redacts one connection string, while the seeder must clean arbitrary text (a driver message
 * that quotes part of a URI, an echoed command-line option). And a malformed URI, e.g. a password
 * with an unescaped "/" or "?", is exactly the case where pattern matching stops at the wrong
 * character. So two layers: the credentials of every connection string the seeder has seen are
 * removed wherever they reappear, then patterns catch any other "scheme://user:password@" and the
 * credential-bearing URI options.
 */

export const REDACTED = "<credentials>";

/**
 * Known secrets shorter than this are not hunted for in free text: a two-letter password occurs
 * inside ordinary words, and removing it everywhere would make every message unreadable. Inside
 * connection strings they are still removed by the patterns below, whatever their length.
 */
export const MIN_FREE_TEXT_SECRET_LENGTH = 4;

const USERINFO_IN_URL = /([a-z][a-z0-9+.-]*:\/\/)[^\s/?#"'`<>]*@/gi;

/** URI options that carry secrets, as listed by mongodb-connection-string-url. */
const SECRET_OPTIONS = /((?:tlsCertificateKeyFilePassword|proxyPassword|proxyUsername)=)[^&\s"'`]+/gi;
const SESSION_TOKEN = /(AWS_SESSION_TOKEN(?::|%3A))[^,&\s"'`]+/gi;

/** Where the user information of a connection string is, even when it is malformed. */
export interface UserinfoLocation {
  readonly start: number;
  readonly end: number;
}

/**
 * Locates `user:password` between the scheme's `://` and the last `@`: an unescaped `@`, `/`
 * or `?` in a password makes a URI malformed, and the last `@` still ends the credentials.
 */
export function locateUserinfo(uri: string): UserinfoLocation | undefined {
  const schemeEnd = uri.indexOf("://");
  const at = uri.lastIndexOf("@");
  if (schemeEnd < 0 || at < schemeEnd + 3) return undefined;
  return { start: schemeEnd + 3, end: at };
}

/** The connection string with its user information replaced, or unchanged if it has none. */
export function replaceUserinfo(uri: string, replacement: string): string {
  const location = locateUserinfo(uri);
  if (location === undefined) return uri;
  return uri.slice(0, location.start) + replacement + uri.slice(location.end);
}

function decodedOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The secret strings of a connection string: its user information, the password alone, both
 * percent-decoded (the driver works with decoded values), and credential-bearing option values,
 * each only if at least MIN_FREE_TEXT_SECRET_LENGTH long. A bare username is not among them: it
 * is not a secret, and removing it would mangle messages.
 */
export function secretsOf(uri: string): string[] {
  const secrets: string[] = [];
  const location = locateUserinfo(uri);
  if (location !== undefined) {
    const userinfo = uri.slice(location.start, location.end);
    const colon = userinfo.indexOf(":");
    const password = colon < 0 ? "" : userinfo.slice(colon + 1);
    secrets.push(userinfo, decodedOrSelf(userinfo), password, decodedOrSelf(password));
  }
  for (const pattern of [SECRET_OPTIONS, SESSION_TOKEN]) {
    for (const match of uri.matchAll(pattern)) {
      const value = match[0].slice(match[1].length);
      secrets.push(value, decodedOrSelf(value));
    }
  }
  return secrets.filter((secret) => secret.length >= MIN_FREE_TEXT_SECRET_LENGTH);
}

/** Removes credentials from text; learns the exact secrets of each connection string it is given. */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a connection string before anything can echo it, including a malformed one. */
  addConnectionString(uri: string): void {
    for (const secret of secretsOf(uri)) this.secrets.add(secret);
  }

  redact(text: string): string {
    // Longest first, so a password inside a registered userinfo does not break the longer match.
    const known = [...this.secrets].sort((a, b) => b.length - a.length);
    let redacted = known.reduce((current, secret) => current.split(secret).join(REDACTED), text);
    redacted = redacted.replace(USERINFO_IN_URL, `$1${REDACTED}@`);
    redacted = redacted.replace(SECRET_OPTIONS, `$1${REDACTED}`);
    return redacted.replace(SESSION_TOKEN, `$1${REDACTED}`);
  }
}
