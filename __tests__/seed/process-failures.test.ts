/*
 * `npm run seed` as CI runs it, in its own process, where it fails: what the process prints (the
 * error first, no SDK notice, no credential) and its exit code. The same failures in-process are in
 * cli.test.ts; `npm run seed -- spec` as a process too, since it prints the declared shape.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { EXIT } from "../../src/seed/exit-codes";
import { npmScript, TYPESCRIPT_RUNNER } from "../support/run-typescript";
import { closedPort } from "./support/closed-port";

describe("npm run seed as a process, where it fails", () => {
  /** `npm run seed` as package.json has it, so that the tests run what CI runs. */
  const [runner, ...SEED] = npmScript("seed");

  it("npm run seed is one node process (no npx, no tsx CLI in between)", () => {
    expect([runner, ...SEED]).toEqual(["node", ...TYPESCRIPT_RUNNER, "src/seed/cli.ts"]);
  });
  const execFileAsync = promisify(execFile);
  const env = { ...process.env, MONGODB_URI: "", AWS_REGION: "" };

  it("exits 1 with the cause and hint on stderr for a malformed URI", async () => {
    const failure = await execFileAsync(process.execPath, [...SEED, "plan", "--uri", "mongodb://app:Qz9@Kx/Vb7?Lm8@host/"], { env, timeout: 60_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(EXIT.failure);
    expect(failure?.stderr).toContain("error: malformed connection string: the username or password is not valid in a URI\nhint: ");
    expect(`${failure?.stdout}${failure?.stderr}`).not.toMatch(/Qz9|Vb7|Lm8/);
  });

  it("prints no AWS SDK Node-version notice: the first line is the error (Secrets Manager refused on 127.0.0.1)", async () => {
    const port = await closedPort();
    // The CLI must set the SDK's switch itself: drop any value this test process inherited.
    const inherited: NodeJS.ProcessEnv = { ...env };
    delete inherited.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    const awsEnv = {
      ...inherited,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", // AWS's documented example key: never valid
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_MAX_ATTEMPTS: "1",
    };
    const failure = await execFileAsync(process.execPath, [...SEED, "plan", "--secret-id", "audio-pipeline-dev/mongodb-seed-uri"], { env: awsEnv, timeout: 60_000 }).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(EXIT.failure);
    expect(failure?.stdout).toBe("");
    const lines = (failure?.stderr ?? "").trimEnd().split("\n");
    expect(lines[0]).toBe("error: cannot reach Secrets Manager in us-east-1 (ECONNREFUSED)");
    expect(lines).toHaveLength(2);
    expect(failure?.stderr).not.toMatch(/NodeVersionSupportWarning|Warning/);
  });
});
