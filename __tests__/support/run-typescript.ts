import * as fs from "node:fs";

/**
 * How the tests start a TypeScript script (.github/scripts/*.ts, the seeder) as its own process:
 * `node --require tsx/cjs <script>`. The workflows run `npx tsx <script>`; these scripts are
 * CommonJS (package.json sets no "type": "module"), so tsx's CommonJS hook alone runs them the
 * same way, without npx and without the thread of tsx's ESM loader: about 0.2 CPU-s less per run.
 */
export const TYPESCRIPT_RUNNER: readonly string[] = ["--require", "tsx/cjs"];

/** The words of an npm script in package.json (`node --require tsx/cjs src/seed/cli.ts` for seed). */
export function npmScript(name: string): string[] {
  return (JSON.parse(fs.readFileSync("package.json", "utf8")).scripts[name] as string).split(" ");
}
