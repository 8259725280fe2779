/** Why the reviewer HCL was not written: one message saying what to do, printed without a stack trace. */
export class ReviewerHclError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewerHclError";
  }
}
