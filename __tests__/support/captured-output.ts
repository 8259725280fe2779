/**
 * A green run is quiet: what the code under test writes to stdout and stderr itself (seed plans,
 * `::error` annotations of a CI script run in the worker) is captured per test and printed only
 * when that test fails, so a reader of a passing run sees no error lines that are only fixtures.
 * Call once at the top of a test file, or of a describe block.
 */
export function captureOutputOfEachTest(): void {
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  let captured: string[] = [];

  const restore = () => {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  };

  beforeEach(({ onTestFailed }) => {
    captured = [];
    const capture = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      captured.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      const done = typeof encoding === "function" ? encoding : callback;
      if (typeof done === "function") done();
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    onTestFailed(() => {
      restore();
      if (captured.length > 0) process.stderr.write(`--- what the failed test printed ---\n${captured.join("")}--- end ---\n`);
    });
  });

  afterEach(restore);
}
