import { locateUserinfo, REDACTED, Redactor, secretsOf } from "../../src/seed/redact";

describe("Redactor.redact without registered secrets", () => {
  const redactor = new Redactor();

  it("removes user:password from any connection string in a line, keeping scheme and host", () => {
    expect(redactor.redact("failed: mongodb+srv://app:Pa55word@cluster0-pl-0.abcde.mongodb.net/audio_pipeline?w=majority")).toBe(
      `failed: mongodb+srv://${REDACTED}@cluster0-pl-0.abcde.mongodb.net/audio_pipeline?w=majority`,
    );
  });

  it("removes credentials from every connection string on the line", () => {
    const redacted = redactor.redact("mongodb://a:first@h1 then mongodb://b:second@h2");
    expect(redacted).not.toMatch(/first|second/);
  });

  it("removes credential-bearing URI options", () => {
    const redacted = redactor.redact(
      "mongodb://h/?tlsCertificateKeyFilePassword=kfp&proxyPassword=ppw&authMechanismProperties=AWS_SESSION_TOKEN:tok,X:y",
    );
    expect(redacted).not.toMatch(/kfp|ppw|tok/);
    expect(redacted).toContain("X:y");
  });

  it("leaves a connection string without credentials as it is", () => {
    expect(redactor.redact("mongodb://127.0.0.1:27017/?directConnection=true")).toBe("mongodb://127.0.0.1:27017/?directConnection=true");
  });

  it("is stable when applied twice", () => {
    const once = redactor.redact("mongodb://u:p4ssword@h/");
    expect(redactor.redact(once)).toBe(once);
  });
});

describe("Redactor.redact with a registered connection string", () => {
  it("removes a malformed password wherever it reappears, even where no pattern could find it", () => {
    const uri = "mongodb://app:pa/ss?wo#rd@host/";
    const redactor = new Redactor();
    redactor.addConnectionString(uri);
    expect(redactor.redact(`Connecting to ${uri}`)).not.toContain("pa/ss?wo#rd");
    expect(redactor.redact('option "pa/ss?wo#rd" is invalid')).toBe(`option "${REDACTED}" is invalid`);
  });

  it("removes the percent-decoded form of the password too", () => {
    const redactor = new Redactor();
    redactor.addConnectionString("mongodb://app:p%40ss%2Fword@host/");
    expect(redactor.redact("password p@ss/word rejected")).toBe(`password ${REDACTED} rejected`);
  });

  it("leaves ordinary words alone when the password is very short", () => {
    const redactor = new Redactor();
    redactor.addConnectionString("mongodb://a:b@host/");
    expect(redactor.redact("the database is unreachable")).toBe("the database is unreachable");
    expect(redactor.redact("mongodb://a:b@host/")).toBe(`mongodb://${REDACTED}@host/`);
  });
});

describe("locateUserinfo and secretsOf", () => {
  it("ends the credentials at the last @, where an unescaped @ in a password would fool a parser", () => {
    const uri = "mongodb://app:p@ss@host/";
    const location = locateUserinfo(uri);
    expect(location && uri.slice(location.start, location.end)).toBe("app:p@ss");
  });

  it("finds no credentials in a URI without them", () => {
    expect(locateUserinfo("mongodb+srv://cluster.example.net/db")).toBeUndefined();
    expect(secretsOf("mongodb+srv://cluster.example.net/db")).toEqual([]);
  });

  it("does not count the bare username as a secret", () => {
    expect(secretsOf("mongodb://audio-pipeline-app:Secret123@host/")).not.toContain("audio-pipeline-app");
  });
});
