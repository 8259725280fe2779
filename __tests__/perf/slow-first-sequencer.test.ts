import * as fs from "node:fs";
import * as path from "node:path";
import { SLOW_FIRST } from "../support/slow-first-sequencer";

describe("the slow-first order of vitest.config.ts", () => {
  it.each(SLOW_FIRST)("%s still names test files (a rename would quietly put them back at the end)", (prefix) => {
    const matches = prefix.endsWith("/")
      ? (fs.readdirSync(prefix, { recursive: true }) as string[]).filter((file) => file.endsWith(".test.ts"))
      : [prefix].filter((file) => fs.existsSync(file) && path.basename(file).endsWith(".test.ts"));
    expect(matches.length).toBeGreaterThan(0);
  });
});
