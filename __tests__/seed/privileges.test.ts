import { DECLARED_SHAPE } from "../../src/seed/declared-shape";
import { planChanges, type Operation } from "../../src/seed/planner";
import { missingPrivileges } from "../../src/seed/privileges";
import { readWritePrivileges, seederPrivileges } from "./support/privileges";
import { EMPTY_DATABASE } from "./support/server-responses";

const database = "audio_pipeline";
const calls = DECLARED_SHAPE.collections[0];
const authenticated = (privileges: object[]) => ({ authInfo: { authenticatedUsers: [{ user: "audio-pipeline-app", db: "admin" }], authenticatedUserPrivileges: privileges } });
const updateCallsValidator: Operation = {
  kind: "updateValidator",
  collection: "calls",
  before: { validator: undefined, validationLevel: "strict", validationAction: "error" },
  after: calls,
  violatingDocuments: { kind: "exact", count: 0 },
};

describe("missingPrivileges", () => {
  it("finds nothing missing for a readWrite user creating collections and indexes", () => {
    const operations = planChanges(DECLARED_SHAPE, EMPTY_DATABASE).operations;
    expect(missingPrivileges(authenticated(readWritePrivileges(database)), database, operations)).toEqual([]);
  });

  it("finds collMod missing for a readWrite user replacing a validator", () => {
    expect(missingPrivileges(authenticated(readWritePrivileges(database)), database, [updateCallsValidator])).toEqual(["collMod on audio_pipeline.calls"]);
  });

  it("finds nothing missing for a user that also has dbAdmin", () => {
    expect(missingPrivileges(authenticated(seederPrivileges(database)), database, [updateCallsValidator])).toEqual([]);
  });

  it("does not count privileges on another database", () => {
    const operations = planChanges(DECLARED_SHAPE, EMPTY_DATABASE).operations;
    expect(missingPrivileges(authenticated(readWritePrivileges("other")), database, operations)).toContain("createCollection on audio_pipeline.calls");
  });

  it("accepts privileges on any database and on any resource", () => {
    expect(missingPrivileges(authenticated([{ resource: { db: "", collection: "" }, actions: ["collMod"] }]), database, [updateCallsValidator])).toEqual([]);
    expect(missingPrivileges(authenticated([{ resource: { anyResource: true }, actions: ["collMod"] }]), database, [updateCallsValidator])).toEqual([]);
  });

  it("finds nothing missing when nobody is authenticated (a server without access control)", () => {
    expect(missingPrivileges({ authInfo: { authenticatedUsers: [], authenticatedUserPrivileges: [] } }, database, [updateCallsValidator])).toEqual([]);
  });
});
