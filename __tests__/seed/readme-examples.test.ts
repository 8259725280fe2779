/*
 * docs/seeding.md tells people and pipelines which secret to seed with, and what the deploy job
 * does with each exit code. Pipelines must pass the seeder's secret (its user has dbAdmin, which
 * replacing a validator needs); the application's secret cannot apply a validator change.
 */
import * as fs from "node:fs";
import { EXIT } from "../../src/seed/exit-codes";
import { STACK_SECRET_IDS } from "../../src/seed/secret-names";
import { DEFAULT_INDEX_BUILD_TIMEOUT_MS } from "../../src/seed/time-limits";

const seeding = fs.readFileSync("docs/seeding.md", "utf8");
const pipelineSnippet = /## In the deploy pipeline[\s\S]*?```sh\n([\s\S]*?)```/.exec(seeding)?.[1];

describe("docs/seeding.md: seeding examples", () => {
  it("seeds with the seeder's secret in the pipeline snippet, on every seed command", () => {
    expect(pipelineSnippet).toBeDefined();
    const seedCommands = pipelineSnippet!.split("\n").filter((line) => /\bseed -- (plan|apply)\b/.test(line));
    expect(seedCommands.length).toBeGreaterThanOrEqual(2);
    for (const line of seedCommands) expect(line).toMatch(/--secret-id "\$secret"/);
    expect(pipelineSnippet).toContain(`secret=${STACK_SECRET_IDS.seeder.prod}`);
  });

  it("plans again on exit 4 in the pipeline snippet, and stops waiting", () => {
    expect(pipelineSnippet).toMatch(new RegExp(`"\\$status" -eq ${EXIT.buildInProgress}`));
    // A bounded loop: `for attempt in $(seq 1 N)` (or the numbers listed), never more plans than N.
    const bound = /for attempt in (?:\$\(seq 1 (\d+)\)|((?:\d+ )*(\d+))); do/.exec(pipelineSnippet!);
    expect(bound, "a bounded for loop over the attempts").not.toBeNull();
    const attempts = Number(bound![1] ?? bound![3]);
    expect(pipelineSnippet).toContain(`"$attempt" -lt ${attempts} ]`);
  });

  it("never tells anyone to pass an application secret with --secret-id", () => {
    const passed = [...seeding.matchAll(/--secret-id[ =]`?([\w./-]+)/g)].map((match) => match[1]);
    expect(passed.length).toBeGreaterThan(0);
    for (const secretId of passed) expect([STACK_SECRET_IDS.app.prod, STACK_SECRET_IDS.app.dev]).not.toContain(secretId);
  });

  it("names the dev stack's seeder secret for dev", () => {
    expect(seeding).toContain(STACK_SECRET_IDS.seeder.dev);
  });

  it("documents every exit code and the index build limit's default as the code has it", () => {
    for (const code of Object.values(EXIT)) expect(seeding).toMatch(new RegExp(`^\\| ${code} \\|`, "m"));
    expect(seeding).toContain(`\`${DEFAULT_INDEX_BUILD_TIMEOUT_MS}\` (**${DEFAULT_INDEX_BUILD_TIMEOUT_MS / 60_000} minutes**)`);
  });
});
