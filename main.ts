import * as path from "node:path";
import { SynthesisError, synthesizeApp } from "./src/app";
import { ConfigError } from "./src/config/config-issue";

// The App: one stack per environment file in config/. All wiring lives in src/.
try {
  synthesizeApp({
    configDir: path.join(__dirname, "config"),
    outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out",
    // `cdktf synth --hcl` asks for HCL through this variable; JSON is always written too.
    hcl: process.env.SYNTH_HCL_OUTPUT === "true",
  });
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof SynthesisError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
