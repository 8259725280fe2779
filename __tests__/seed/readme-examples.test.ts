/*
 * docs/seeding.md tells people and pipelines which secret to seed with. Pipelines
 * must pass the seeder's secret (its user has dbAdmin, which replacing a validator needs); the
 * application's secret cannot apply a validator change.
 */
import * as fs from "node:fs";
import { STACK_SECRET_IDS } from "../../src/seed/secret-names";

const seeding = fs.readFileSync("docs/seeding.md", "utf8");

describe("docs/seeding.md: seeding examples", () => {
  it("seeds with the seeder's secret in the pipeline snippet, on every seed command", () => {
    const snippet = /\*\*In the deploy pipeline\*\*[\s\S]*?```sh\n([\s\S]*?)```/.exec(seeding)?.[1];
    expect(snippet).toBeDefined();
    const seedCommands = snippet!.split("\n").filter((line) => /\bseed -- (plan|apply)\b/.test(line));
    expect(seedCommands.length).toBeGreaterThanOrEqual(2);
    for (const line of seedCommands) expect(line).toMatch(/--secret-id "\$secret"/);
    expect(snippet).toContain(`secret=${STACK_SECRET_IDS.seeder.prod}`);
  });

  it("never tells anyone to pass an application secret with --secret-id", () => {
    const passed = [...seeding.matchAll(/--secret-id[ =]`?([\w./-]+)/g)].map((match) => match[1]);
    expect(passed.length).toBeGreaterThan(0);
    for (const secretId of passed) expect([STACK_SECRET_IDS.app.prod, STACK_SECRET_IDS.app.dev]).not.toContain(secretId);
  });

  it("names the dev stack's seeder secret for dev", () => {
    expect(seeding).toContain(STACK_SECRET_IDS.seeder.dev);
  });
});
