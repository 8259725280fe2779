import { main } from "./main";

// Entry point of `npm run seed`. Sets the exit code rather than calling process.exit, so output
// is flushed and the driver's sockets close before the process ends.
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
