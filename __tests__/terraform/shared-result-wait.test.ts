/*
 * The shared AWS-part run is made by one vitest worker; the other waits for its result file
 * (aws-part-workspace.ts). A worker that dies before writing it must not leave the other waiting
 * until the tests time out.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { temporaryDirectory } from "../support/temporary-directory";
import { waitForSharedResult } from "./aws-part-workspace";

let runDir: string;
beforeEach(() => {
  runDir = temporaryDirectory("shared-result");
  fs.mkdirSync(path.join(runDir, "aws-parts.lock"));
});
afterEach(() => fs.rmSync(runDir, { recursive: true, force: true }));

const files = () => ({ result: path.join(runDir, "aws-parts.json"), lock: path.join(runDir, "aws-parts.lock") });

describe("waiting for the shared AWS-part run of another worker", () => {
  it("reads the result once the running worker writes it", async () => {
    const { result, lock } = files();
    fs.writeFileSync(path.join(lock, "pid"), String(process.pid));
    setTimeout(() => fs.writeFileSync(result, JSON.stringify({ ok: false, error: "the run's own failure" })), 300);
    expect(await waitForSharedResult(result, lock, 60_000)).toEqual({ ok: false, error: "the run's own failure" });
  });

  it("says at once, not after the tests' timeout, that the running worker died without a result", async () => {
    const { result, lock } = files();
    const exited = spawnSync(process.execPath, ["-e", ""]);
    fs.writeFileSync(path.join(lock, "pid"), String(exited.pid));
    const outcome = await waitForSharedResult(result, lock, 600_000);
    expect(outcome).toEqual({ ok: false, error: expect.stringContaining(`the test worker (pid ${exited.pid}) that ran the shared AWS-part Terraform run exited without a result`) });
  }, 10_000);
});
