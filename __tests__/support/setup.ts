import { createRequire } from "node:module";
import * as path from "node:path";
import { Testing } from "cdktf";

// Registers toHaveResource, toHaveResourceWithProperties, ... on the global expect.
Testing.setupJest();

// cdktf records a full stack trace for every token it creates, only to quote it should that token
// fail to resolve. Under vitest each frame of it goes through vite-node's source-map lookup, which
// made that bookkeeping a fifth of the CPU time of the stack tests. Captured with V8's own
// formatting instead, the trace is the same but for positions in the compiled files; the
// synthesized output does not depend on it.
const stackTrace = createRequire(path.resolve("package.json"))("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace: (below?: Function) => string[] };
const captureMapped = stackTrace.captureStackTrace;
stackTrace.captureStackTrace = function captureUnmapped(below?: Function): string[] {
  const errors = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"] };
  const prepare = errors.prepareStackTrace;
  errors.prepareStackTrace = undefined;
  try {
    return captureMapped(below ?? captureUnmapped);
  } finally {
    errors.prepareStackTrace = prepare;
  }
};
