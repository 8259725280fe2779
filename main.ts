import * as path from "node:path";
import { SynthesisError, synthesizeApp } from "./src/app";
import { ConfigError } from "./src/config/config-issue";

// The App: one stack per environment file in config/. All wiring lives in src/. `npm run synth`
// runs this file through scripts/synth.cjs; `npx cdktf synth` runs it too (cdktf.json).
try {
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  const result = synthesizeApp({
    configDir: path.join(__dirname, "config"),
    outdir,
    // `cdktf synth --hcl` asks for HCL through this variable; JSON is always written too.
    hcl: process.env.SYNTH_HCL_OUTPUT === "true",
  });
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  if (result.placeholderNotice) console.log(result.placeholderNotice);
  console.log(`Synthesized ${result.stacks.join(", ")} into ${path.join(outdir, "stacks")}/`);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof SynthesisError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
