/*
 * Strings of Terraform's JSON syntax, written as HCL native syntax.
 *
 * In cdk.tf.json nearly every string is a template: literal text with `${...}` interpolations and
 * `%{...}` directives, whose insides are already native-syntax expressions. The HCL form keeps
 * those sequences byte for byte and escapes only the literal text around them, so the two files
 * mean the same. A few positions are not templates (a variable's default, a type constraint, a
 * reference list); the renderer picks the function for each.
 */

/** One piece of a JSON-syntax template: literal text, or a `${...}` / `%{...}` sequence kept as written. */
type TemplatePart = { readonly literal: string } | { readonly sequence: string };

/** Index just past the `}` that closes the sequence whose body starts at `start`, skipping nested strings and braces. */
function sequenceEnd(text: string, start: number): number {
  let depth = 0;
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index = quotedStringEnd(text, index + 1);
      continue;
    }
    if (char === "{") depth += 1;
    if (char === "}") {
      if (depth === 0) return index + 1;
      depth -= 1;
    }
    index += 1;
  }
  throw new Error(`unterminated template sequence in ${JSON.stringify(text)}`);
}

/** Index just past the `"` that closes a quoted template inside an expression, whose text starts at `start`. */
function quotedStringEnd(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    const char = text[index];
    if (char === "\\") index += 2;
    else if (char === '"') return index + 1;
    else if ((char === "$" || char === "%") && text[index + 1] === "{" && text[index - 1] !== char) index = sequenceEnd(text, index + 2);
    else index += 1;
  }
  throw new Error(`unterminated quoted string inside an expression in ${JSON.stringify(text)}`);
}

/** Splits a JSON-syntax template into literal text and sequences. `$${` and `%%{` are escapes and stay literal. */
function templateParts(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if ((char === "$" || char === "%") && text[index + 1] === char && text[index + 2] === "{") {
      literal += `${char}${char}{`;
      index += 3;
    } else if ((char === "$" || char === "%") && text[index + 1] === "{") {
      if (literal) parts.push({ literal });
      literal = "";
      const end = sequenceEnd(text, index + 2);
      parts.push({ sequence: text.slice(index, end) });
      index = end;
    } else {
      literal += char;
      index += 1;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

/** Escapes text for a native-syntax quoted string (quotes, backslashes, control characters). */
function escapeQuoted(text: string): string {
  return text.replace(/[\\"\u0000-\u001f\u007f]/g, (char) => {
    switch (char) {
      case "\\":
        return "\\\\";
      case '"':
        return '\\"';
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      case "\t":
        return "\\t";
      default:
        return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
}

/**
 * A JSON-syntax template as a native expression. A string that is one interpolation and nothing
 * else becomes the bare expression (`"${var.x}"` -> `var.x`): Terraform gives such a template the
 * expression's own value, unconverted, so both forms are the same value.
 */
export function templateExpression(text: string): string {
  const parts = templateParts(text);
  if (parts.length === 1 && "sequence" in parts[0] && parts[0].sequence.startsWith("${")) {
    const inner = parts[0].sequence.slice(2, -1).trim();
    // A `~` strip marker or an empty body has no bare form.
    // Newlines are allowed inside parentheses only.
    if (inner.length > 0 && !inner.startsWith("~") && !inner.endsWith("~")) return inner.includes("\n") ? `(${inner})` : inner;
  }
  return `"${parts.map((part) => ("literal" in part ? escapeQuoted(part.literal) : part.sequence)).join("")}"`;
}

/** A string taken literally (a variable's default, a description in a literal-only position): `${` and `%{` are escaped. */
export function literalString(text: string): string {
  return `"${escapeQuoted(text).replace(/([$%])\{/g, "$1$1{")}"`;
}

/**
 * A string that holds an expression rather than a template (a type constraint, a depends_on entry,
 * an ignore_changes path): written bare, without its `${...}` wrapper if it has one.
 */
export function bareExpression(text: string): string {
  const trimmed = text.trim();
  const parts = templateParts(trimmed);
  if (parts.length === 1 && "sequence" in parts[0] && parts[0].sequence.startsWith("${")) return parts[0].sequence.slice(2, -1).trim();
  return trimmed;
}

/** An object key: bare when it is a plain name, else a quoted template (keys of JSON-syntax objects are templates too). */
export function objectKey(key: string): string {
  const keywords = new Set(["true", "false", "null", "for", "in", "if", "endif", "endfor"]);
  if (/^[A-Za-z_][\w-]*$/.test(key) && !keywords.has(key)) return key;
  return `"${templateParts(key)
    .map((part) => ("literal" in part ? escapeQuoted(part.literal) : part.sequence))
    .join("")}"`;
}
