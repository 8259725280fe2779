import { main } from "./main";

// The AWS SDK prints an 8-line NodeVersionSupportWarning on Node < 22 when a client is made
// (@aws-sdk/core emitWarningIfUnsupportedVersion): SDK releases after the first week of January
// 2027 need Node 22. This variable is the SDK's own switch for that one notice; other warnings
// still print. The seeder's first line must be its result or its error.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

// Entry point of `npm run seed`. Sets the exit code rather than calling process.exit, so output
// is flushed and the driver's sockets close before the process ends.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
