import * as path from "node:path";
import { SynthesisError, synthesizeApp } from "./src/app";
import { ConfigError } from "./src/config/config-issue";
import { reviewerHclRequested } from "./src/hcl/reviewer-hcl";
import { ReviewerHclError } from "./src/hcl/reviewer-hcl-error";

// The App: one stack per environment file in config/. All wiring lives in src/.
try {
  synthesizeApp({
    configDir: path.join(__dirname, "config"),
    outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out",
    // `npm run synth:hcl` asks for reviewer HCL (cdktf.out/hcl/); JSON is always written too.
    hcl: reviewerHclRequested(process.env),
  });
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof SynthesisError || error instanceof ReviewerHclError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
