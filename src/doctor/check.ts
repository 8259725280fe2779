/** One line of `npm run doctor`: ok, WARN or FAIL, what was checked, why it matters or what was found, and the fix. */
export type Status = "ok" | "WARN" | "FAIL";
export type Service = "aws" | "github" | "atlas";

export interface Check {
  readonly status: Status;
  readonly service: Service;
  /** What was checked, e.g. "prod-deploy: required reviewers". */
  readonly what: string;
  /** What was found and why it matters. */
  readonly why: string;
  /** How to make it ok (FAIL and WARN only). */
  readonly fix?: string;
}

export const ok = (service: Service, what: string, why: string): Check => ({ status: "ok", service, what, why });
export const fail = (service: Service, what: string, why: string, fix: string): Check => ({ status: "FAIL", service, what, why, fix });
export const warn = (service: Service, what: string, why: string, fix: string): Check => ({ status: "WARN", service, what, why, fix });

/** One line, no newline inside: `FAIL github  prod-deploy: required reviewers: none. Fix: ...`. */
export function formatCheck(check: Check): string {
  const line = `${check.status.padEnd(4)} ${check.service.padEnd(6)} ${check.what}: ${check.why}${check.fix ? `. Fix: ${check.fix}` : ""}`;
  return line.replace(/\s*\n\s*/g, " ");
}

/** An error that ends one service's checks with one line (no credentials, unreachable API). */
export class ServiceStop extends Error {
  constructor(readonly check: Check) {
    super(check.why);
  }
}
