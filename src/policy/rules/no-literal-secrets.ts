import type { PolicyFinding, PolicyRule, StackJson } from "../policy-rule";

// Attributes that carry secret material: they must be Terraform expressions, never literals.
const SECRET_ATTRIBUTES = new Set(["password", "secret_string", "webhook_secret", "private_key", "secret", "api_key"]);
const URI_WITH_CREDENTIALS = /mongodb(\+srv)?:\/\/[^$"@/\s]+:[^$"@/\s]+@/;

function walk(value: unknown, path: string[], visit: (path: string[], value: unknown) => void): void {
  visit(path, value);
  if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, String(index)], visit));
  else if (value && typeof value === "object") {
    for (const [key, child] of Object.entries(value)) walk(child, [...path, key], visit);
  }
}

/**
 * No secret material is written into the stack: secret attributes hold only Terraform
 * expressions, and no string anywhere embeds a MongoDB URI with literal credentials.
 */
export const noLiteralSecrets: PolicyRule = {
  id: "no-literal-secrets",
  rationale: "cdk.tf.json is committed to review and CI logs; anything literal in it is a leaked credential.",
  level: "error",
  check(stack: StackJson) {
    const findings: PolicyFinding[] = [];
    for (const [type, resources] of Object.entries(stack.resource ?? {})) {
      for (const [name, config] of Object.entries(resources)) {
        walk(config, [], (path, value) => {
          if (typeof value !== "string") return;
          const attribute = path[path.length - 1];
          if (attribute && SECRET_ATTRIBUTES.has(attribute) && value !== "" && !value.includes("${")) {
            findings.push({ address: `${type}.${name}`, message: `sets ${path.join(".")} to a literal value` });
          }
          if (URI_WITH_CREDENTIALS.test(value)) {
            findings.push({ address: `${type}.${name}`, message: `embeds a MongoDB URI with literal credentials in ${path.join(".")}` });
          }
        });
      }
    }
    for (const [name, output] of Object.entries(stack.output ?? {})) {
      if (URI_WITH_CREDENTIALS.test(JSON.stringify(output.value))) {
        findings.push({ message: `output ${name} embeds a MongoDB URI with literal credentials` });
      }
    }
    return findings;
  },
};
