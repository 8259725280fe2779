/*
 * The JSON-to-HCL renderer of the reviewer HCL (src/hcl): what it writes for each kind of value
 * and position, what it refuses, and, through the real terraform CLI where it can run (no provider
 * needed), that Terraform evaluates the HCL to exactly the values of the JSON it came from.
 */
import * as os from "node:os";
import type { BlockSchema } from "../../src/hcl/block-schema";
import { renderHcl, type JsonObject } from "../../src/hcl/render-hcl";
import { bareExpression, literalString, templateExpression } from "../../src/hcl/template-strings";
import { terraformAvailability, TerraformWorkspace, type PlanJson } from "../support/terraform-runner";

const terraform = terraformAvailability();
if (!terraform.available) console.warn(`[terraform] skipping the renderer's round trip through terraform: ${terraform.reason}`);

describe("strings", () => {
  test("a template keeps its interpolations and directives byte for byte and escapes only the literal text", () => {
    expect(templateExpression('say "hi" \\ to ${var.name}\n\tnow')).toBe('"say \\"hi\\" \\\\ to ${var.name}\\n\\tnow"');
    expect(templateExpression('${jsonencode({"a" = "b${var.c}}"})} and %{ if var.x }yes%{ endif }')).toBe(
      '"${jsonencode({"a" = "b${var.c}}"})} and %{ if var.x }yes%{ endif }"',
    );
    expect(templateExpression("costs $5, escaped $${x} and %%{y}")).toBe('"costs $5, escaped $${x} and %%{y}"');
  });

  test("a string that is one interpolation and nothing else becomes the bare expression", () => {
    expect(templateExpression("${var.x}")).toBe("var.x");
    expect(templateExpression('${length(var.x) > 2 ? "many" : "few"}')).toBe('length(var.x) > 2 ? "many" : "few"');
    expect(templateExpression("${var.x}/${var.y}")).toBe('"${var.x}/${var.y}"');
    expect(templateExpression("${var.x}\n")).toBe('"${var.x}\\n"');
  });

  test("a literal (a variable's default) escapes template sequences, so nothing in it is evaluated", () => {
    expect(literalString('${var.x} %{ if } "q"')).toBe('"$${var.x} %%{ if } \\"q\\""');
  });

  test("a reference list entry is written bare, with or without its ${} wrapper", () => {
    expect(bareExpression("aws_vpc_endpoint.endpoint")).toBe("aws_vpc_endpoint.endpoint");
    expect(bareExpression("${aws_vpc_endpoint.endpoint.id}")).toBe("aws_vpc_endpoint.endpoint.id");
  });

  test("an unterminated interpolation is an error naming the string", () => {
    expect(() => templateExpression("${var.x")).toThrow(/unterminated template sequence in "\$\{var\.x"/);
  });
});

describe("renderHcl", () => {
  const schema: BlockSchema = new Map([
    ["resource.aws_thing", new Set(["rule", "rule.filter"])],
    ["provider.aws", new Set(["default_tags"])],
  ]);

  test("writes schema blocks as blocks (one per item) and object values as attributes", () => {
    const hcl = renderHcl(
      { resource: { aws_thing: { a: { tags: { Name: "x" }, rule: [{ id: "1", filter: { prefix: "" } }, { id: "2" }] } } } },
      schema,
    );
    expect(hcl).toContain('resource "aws_thing" "a" {');
    expect(hcl).toMatch(/tags = \{\n\s+Name = "x"\n\s+\}/);
    expect(hcl.match(/^\s+rule \{$/gm)).toHaveLength(2);
    expect(hcl).toMatch(/^\s+filter \{$/m);
  });

  test("writes lifecycle conditions as blocks and reference lists bare; meta-arguments first and last", () => {
    const hcl = renderHcl(
      {
        resource: {
          aws_thing: {
            a: {
              depends_on: ["aws_thing.b"],
              lifecycle: { precondition: [{ condition: "${var.ok}", error_message: "not ok" }], ignore_changes: ["tags"], replace_triggered_by: ["aws_thing.b.id"] },
              provider: "aws.east",
              name: "a",
            },
          },
        },
      },
      schema,
    );
    const lines = hcl.trim().split("\n").map((line) => line.trim());
    expect(lines).toEqual([
      'resource "aws_thing" "a" {',
      "provider = aws.east",
      'name = "a"',
      "depends_on = [aws_thing.b]",
      "lifecycle {",
      "precondition {",
      "condition = var.ok",
      'error_message = "not ok"',
      "}",
      "ignore_changes = [tags]",
      "replace_triggered_by = [aws_thing.b.id]",
      "}",
      "}",
    ]);
  });

  test("writes a variable's type bare and its default literally", () => {
    const hcl = renderHcl({ variable: { v: { type: "list(string)", default: ["${not.a.reference}"], description: "d ${x}" } } }, schema);
    expect(hcl).toContain("type = list(string)");
    expect(hcl).toContain('default = ["$${not.a.reference}"]');
    expect(hcl).toContain('description = "d $${x}"');
  });

  test("writes moved blocks with bare addresses, and refuses an entry that is not two resource addresses", () => {
    const hcl = renderHcl({ moved: [{ from: "aws_thing.old", to: "aws_thing.new" }] } as never, schema);
    expect(hcl.trim().split("\n").map((line) => line.trim())).toEqual(["moved {", "from = aws_thing.old", "to = aws_thing.new", "}"]);
    expect(() => renderHcl({ moved: [{ from: "aws_thing.old", to: "${aws_thing.new}" }] } as never, schema)).toThrow(/moved: an entry/);
  });

  test("refuses what it does not know, naming it, rather than guessing", () => {
    expect(() => renderHcl({ resource: { aws_other: { a: {} } } }, schema)).toThrow(/resource\.aws_other\.a: resource\.aws_other, which has no block schema/);
    expect(() => renderHcl({ resource: { aws_thing: { a: { dynamic: { rule: {} } } } } }, schema)).toThrow(/resource\.aws_thing\.a\.dynamic: a dynamic block is not supported/);
    expect(() => renderHcl({ module: { m: { source: "./m" } } }, schema)).toThrow(/top level: "module" is not supported/);
  });

  test("writes provisioners as labelled blocks, with `when` and `on_failure` as keywords", () => {
    const hcl = renderHcl(
      { resource: { aws_thing: { a: { provisioner: [{ "local-exec": { command: "sleep ${var.seconds}", when: "destroy", on_failure: "continue" } }] } } } },
      schema,
    );
    const lines = hcl.trim().split("\n").map((line) => line.trim());
    expect(lines.slice(1, -1)).toEqual(['provisioner "local-exec" {', 'command = "sleep ${var.seconds}"', "when = destroy", "on_failure = continue", "}"]);
  });
});

/** Values that are easy to get wrong: quotes, backslashes, control characters, escapes, nested templates, keywords as keys. */
function trickyConfiguration(): JsonObject {
  return {
    variable: {
      literal: { type: "string", default: 'costs ${var.not_a_reference} %{ if x } "q" \\ back\nline\ttab \u2713' },
      numbers: { type: "list(number)", default: [1, 2.5, -3] },
      keys: { type: "map(string)", default: { "a key": "v", "${x}": "y" } },
    },
    locals: {
      template: 'quote " backslash \\ newline \n tab \t dollar $5 escaped $${not} %%{not} ${upper("a}b")} ${var.literal}',
      only: "${var.numbers}",
      conditional: '${length(var.numbers) > 2 ? "many" : "few"}',
      directive: "%{ for n in var.numbers }${n},%{ endfor }",
      object: { "Key With Space": "${local.only[0]}", plain: true, nothing: null, true: "keyword key", "${var.keys[\"a key\"]}": "computed key" },
      encoded: '${jsonencode({"a" = "b${var.literal}", "c" = [1, {"d" = "}"}]})}',
    },
    resource: {
      terraform_data: {
        thing: {
          input: "${local.object}",
          triggers_replace: ["${local.template}", "${local.directive}"],
          lifecycle: { precondition: [{ condition: "${length(local.template) > 0}", error_message: "never empty: ${local.conditional}" }], ignore_changes: ["input"] },
          depends_on: ["terraform_data.other"],
        },
        other: { input: "${var.keys}", provisioner: [{ "local-exec": { command: "echo \"${self.input[\"a key\"]}\"" } }] },
      },
    },
    output: {
      all: {
        value: { template: "${local.template}", only: "${local.only}", conditional: "${local.conditional}", directive: "${local.directive}", object: "${local.object}", encoded: "${local.encoded}", keys: "${var.keys}", literal: "${var.literal}" },
        description: "every value, ${not evaluated}",
        precondition: [{ condition: "${local.conditional == \"many\"}", error_message: "three numbers" }],
      },
    },
  };
}

describe.skipIf(!terraform.available)("renderHcl through terraform (builtin terraform_data, no provider)", () => {
  let workspace: TerraformWorkspace | undefined;
  // A promise the tests await, so that a failure to init or plan fails them rather than skipping them.
  let planned: Promise<PlanJson>;

  beforeAll(() => {
    if (!terraform.available) return;
    const json = trickyConfiguration();
    workspace = TerraformWorkspace.create({
      name: "render-hcl",
      terraform: terraform.terraform,
      // No provider to install: the mirror is an empty directory, so nothing can be fetched.
      installation: { kind: "mirror", mirror: os.tmpdir() },
      files: {
        "main.tf.json": {
          module: { json: { source: "./json" }, hcl: { source: "./hcl" } },
          output: { json: { value: "${module.json.all}" }, hcl: { value: "${module.hcl.all}" } },
        },
        "json/main.tf.json": json,
        "hcl/main.tf": renderHcl(json, new Map([["resource.terraform_data", new Set<string>()]])),
      },
    });
    const ws = workspace;
    planned = ws.init().then(() => ws.plan());
    planned.catch(() => undefined);
  });

  afterAll(async () => {
    await planned?.catch(() => undefined);
    workspace?.dispose();
  });

  test("every value, escape and nested template evaluates as in the JSON", async () => {
    const plan = await planned;
    const outputs = plan.output_changes as unknown as Record<string, { after: Record<string, unknown> }>;
    expect(outputs.json.after.template).toContain('quote " backslash \\ newline \n tab \t dollar $5 escaped ${not} %{not} A}B costs ${var.not_a_reference}');
    expect(outputs.hcl.after).toEqual(outputs.json.after);
  });

  test("resources plan the same, lifecycle precondition included", async () => {
    const plan = await planned;
    const changes = (module: string) =>
      (plan.resource_changes ?? [])
        .filter((change) => change.address.startsWith(`module.${module}.`))
        .map((change) => ({ ...change, address: change.address.replace(`module.${module}.`, ""), module_address: undefined }));
    expect(changes("json")).toHaveLength(2);
    expect(changes("hcl")).toEqual(changes("json"));
  });
});
