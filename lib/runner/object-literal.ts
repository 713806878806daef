// Reads the defaults object of a notebook's parameters cell from its source text, without
// running it, so the runner can compare a notebook with its committed version. Literal values
// (strings, numbers, booleans, null, arrays and objects of them) are read as values; anything
// else (an expression, a call) is kept as its source text, so it still compares, as text.

/** A parameter's value as written: a literal's value, or the source text of an expression. */
export type SourceValue = { literal: unknown } | { expression: string };

/** Where a value ends: the next `,` or closing bracket at depth 0 (strings and comments skipped). */
const CLOSERS: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/**
 * The top-level properties of the object literal that starts at `source[start]` ("{"), in
 * order. Comments, trailing commas, quoted keys and `as`/`satisfies` type assertions are
 * allowed; a spread or a method becomes a property named "..." or the method's name whose
 * value is its source text. Throws when the braces do not close.
 */
export function readObjectLiteral(source: string, start: number): Map<string, SourceValue> {
  if (source[start] !== "{") throw new Error(`expected "{" at offset ${start}`);
  const end = matchingClose(source, start);
  const out = new Map<string, SourceValue>();
  for (const part of splitTopLevel(source, start + 1, end)) {
    const text = stripComments(part).trim();
    if (text === "") continue;
    const colon = topLevelColon(text);
    if (colon < 0) {
      // shorthand `{ dataset }` or a spread `...base`
      const key = text.startsWith("...") ? "..." : text;
      out.set(key, { expression: collapse(text) });
      continue;
    }
    out.set(unquoteKey(text.slice(0, colon).trim()), readValue(text.slice(colon + 1)));
  }
  return out;
}

/** A value's text read as a literal when it is one, else kept as normalised source text. */
export function readValue(text: string): SourceValue {
  const bare = withoutTypeAssertion(stripComments(text).trim());
  try {
    const parser = new LiteralParser(bare);
    const literal = parser.value();
    if (!parser.atEnd()) throw new Error("trailing text");
    return { literal };
  } catch {
    return { expression: collapse(bare) };
  }
}

/** How a value is shown in lines and reports: JSON for literals, the source text otherwise. */
export function showValue(value: SourceValue): string {
  return "literal" in value ? (JSON.stringify(value.literal) ?? "undefined") : value.expression;
}

/** Index of the bracket closing the one at `open`, skipping strings, template literals and comments. */
function matchingClose(source: string, open: number): number {
  const stack: string[] = [];
  for (let i = open; i < source.length; i++) {
    const skip = skipNonCode(source, i);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const c = source[i];
    if (c in CLOSERS) stack.push(CLOSERS[c]);
    else if (c === ")" || c === "]" || c === "}") {
      if (stack.pop() !== c) throw new Error(`unbalanced "${c}" at offset ${i}`);
      if (stack.length === 0) return i;
    }
  }
  throw new Error(`the object at offset ${open} does not close`);
}

/** End of a string, template literal or comment that starts at i; i itself when none does. */
function skipNonCode(s: string, i: number): number {
  const c = s[i];
  if (c === "/" && s[i + 1] === "/") {
    const nl = s.indexOf("\n", i);
    return nl < 0 ? s.length : nl;
  }
  if (c === "/" && s[i + 1] === "*") {
    const close = s.indexOf("*/", i + 2);
    return close < 0 ? s.length : close + 2;
  }
  if (c === '"' || c === "'" || c === "`") {
    for (let j = i + 1; j < s.length; j++) {
      if (s[j] === "\\") j++;
      else if (s[j] === c) return j + 1;
    }
    return s.length;
  }
  return i;
}

/** The code characters of s[from, to) outside brackets (depth 0), strings and comments skipped, with their index. */
function* topLevel(s: string, from = 0, to = s.length): Generator<[number, string]> {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const skip = skipNonCode(s, i);
    if (skip > i) {
      i = skip - 1;
      continue;
    }
    const c = s[i];
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (depth === 0) yield [i, c];
  }
}

/** The pieces of s[from, to) separated by commas at depth 0. */
function splitTopLevel(s: string, from: number, to: number): string[] {
  const parts: string[] = [];
  let begin = from;
  for (const [i, c] of topLevel(s, from, to)) {
    if (c !== ",") continue;
    parts.push(s.slice(begin, i));
    begin = i + 1;
  }
  parts.push(s.slice(begin, to));
  return parts;
}

function topLevelColon(text: string): number {
  for (const [i, c] of topLevel(text)) if (c === ":") return i;
  return -1;
}

function stripComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const skip = skipNonCode(text, i);
    if (skip > i) {
      // strings stay, comments become one space (they may separate tokens)
      out += text[i] === "/" ? " " : text.slice(i, skip);
      i = skip - 1;
    } else out += text[i];
  }
  return out;
}

/** `null as number | null` -> `null`: a type assertion does not change the value. */
function withoutTypeAssertion(text: string): string {
  for (const [i, c] of topLevel(text)) {
    if (!/\s/.test(c)) continue;
    const m = /^\s+(as|satisfies)\s/.exec(text.slice(i));
    if (m) return text.slice(0, i).trim();
  }
  return text;
}

function unquoteKey(key: string): string {
  const v = readValue(key);
  return "literal" in v && typeof v.literal === "string" ? v.literal : key;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A recursive-descent reader of JSON-like literals as JavaScript writes them. */
class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    this.space();
    return this.i >= this.s.length;
  }

  value(): unknown {
    this.space();
    const c = this.s[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"' || c === "'" || c === "`") return this.string();
    const word = /^(true|false|null|undefined)\b/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[1].length;
      return { true: true, false: false, null: null, undefined: undefined }[word[1]];
    }
    const num = /^[+-]?\s*(0[xXoObB][\da-fA-F_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?|Infinity)/.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      const sign = num[0].trim().startsWith("-") ? -1 : 1;
      const n = Number(num[1].replace(/_/g, ""));
      if (Number.isNaN(n)) throw new Error("not a number");
      return sign * n;
    }
    throw new Error(`not a literal at ${this.i}`);
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.i++;
    for (;;) {
      this.space();
      if (this.s[this.i] === "}") break;
      const key = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i));
      let name: string;
      if (key) {
        name = key[0];
        this.i += name.length;
      } else name = String(this.string());
      this.space();
      if (this.s[this.i++] !== ":") throw new Error("expected ':'");
      out[name] = this.value();
      if (!this.comma("}")) break;
    }
    this.i++;
    return out;
  }

  private array(): unknown[] {
    const out: unknown[] = [];
    this.i++;
    for (;;) {
      this.space();
      if (this.s[this.i] === "]") break;
      out.push(this.value());
      if (!this.comma("]")) break;
    }
    this.i++;
    return out;
  }

  /** After an element: true past a comma, false before the closer; throws otherwise. */
  private comma(closer: string): boolean {
    this.space();
    if (this.s[this.i] === ",") {
      this.i++;
      return true;
    }
    if (this.s[this.i] === closer) return false;
    throw new Error(`expected "," or "${closer}"`);
  }

  private string(): string {
    const quote = this.s[this.i];
    if (quote !== '"' && quote !== "'" && quote !== "`") throw new Error("expected a string");
    let out = "";
    for (let j = this.i + 1; j < this.s.length; j++) {
      const c = this.s[j];
      if (c === quote) {
        this.i = j + 1;
        return out;
      }
      if (quote === "`" && c === "$" && this.s[j + 1] === "{") throw new Error("template with substitutions");
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[++j];
      const hex = (n: number) => {
        const h = this.s.slice(j + 1, j + 1 + n);
        if (!/^[\da-fA-F]+$/.test(h) || h.length !== n) throw new Error("bad escape");
        j += n;
        return String.fromCodePoint(parseInt(h, 16));
      };
      if (e === "u" && this.s[j + 1] === "{") {
        const close = this.s.indexOf("}", j);
        out += String.fromCodePoint(parseInt(this.s.slice(j + 2, close), 16));
        j = close;
      } else if (e === "u") out += hex(4);
      else if (e === "x") out += hex(2);
      else if (e === "\n")
        continue; // a line continuation
      else out += { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", v: "\v", 0: "\0" }[e] ?? e;
    }
    throw new Error("unterminated string");
  }

  private space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i])) this.i++;
  }
}
