import * as path from "node:path";
import { SynthesisError, synthesizeApp } from "./src/app";
import { BootstrapError } from "./src/bootstrap/bootstrap-error";
import { ConfigError } from "./src/config/config-issue";
import { reviewerHclRequested } from "./src/hcl/reviewer-hcl";
import { ReviewerHclError } from "./src/hcl/reviewer-hcl-error";

// The App: one stack per environment file in config/. All wiring lives in src/. `npm run synth`
// runs this file through scripts/synth.cjs; `npx cdktf synth` runs it too (cdktf.json).
try {
  const outdir = process.env.CDKTF_OUTDIR || "cdktf.out";
  const hcl = reviewerHclRequested(process.env);
  const result = synthesizeApp({
    configDir: path.join(__dirname, "config"),
    outdir,
    // `npm run synth:hcl` asks for reviewer HCL (cdktf.out/hcl/); JSON is always written too.
    hcl,
  });
  for (const warning of result.warnings) console.warn(`warning: ${warning}`);
  if (result.placeholderNotice) console.log(result.placeholderNotice);
  const stacks = result.githubStack ? [...result.stacks, result.githubStack] : result.stacks;
  console.log(`Synthesized ${stacks.join(", ")} into ${path.join(outdir, "stacks")}/`);
  if (hcl) console.log(`Reviewer HCL (not deployed) in ${path.join(outdir, "hcl")}/`);
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof SynthesisError || error instanceof BootstrapError || error instanceof ReviewerHclError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
