import { PolicyDocumentError, pathWithIndex, pathWithKey } from './policy-document-error.js';

/** A JSON number that a double cannot hold exactly (beyond 2^53, or too many digits); keeps its text. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toJSON(): unknown {
    // Serialises back as the same number literal only through rawJSON-aware writers; elsewhere as its text.
    return this.text;
  }
  toString(): string {
    return this.text;
  }
}

const MAX_DEPTH = 64;

/**
 * Parses JSON text strictly: duplicate keys are an error (JSON.parse silently keeps the last), numbers a
 * double cannot hold exactly come back as JsonNumber, nesting deeper than 64 is refused.
 */
export function parseJsonText(text: string): unknown {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.parseValue('', 0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail('', 'unexpected text after the JSON value');
  return value;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(path: string, reason: string, rule = 'InvalidJson', at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new PolicyDocumentError(path, rule, `${reason} (line ${line}, column ${column})`);
  }

  skipWhitespace(): void {
    const text = this.text;
    let pos = this.pos;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) pos++;
      else break;
    }
    this.pos = pos;
  }

  parseValue(path: string, depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(path, `nesting deeper than ${MAX_DEPTH}`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.parseObject(path, depth);
      case '[':
        return this.parseArray(path, depth);
      case '"':
        return this.parseString(path);
      case 't':
        return this.literal('true', true, path);
      case 'f':
        return this.literal('false', false, path);
      case 'n':
        return this.literal('null', null, path);
      default:
        return this.parseNumber(path);
    }
  }

  private literal<T>(word: string, value: T, path: string): T {
    if (!this.text.startsWith(word, this.pos)) this.fail(path, 'invalid JSON value');
    this.pos += word.length;
    return value;
  }

  private parseNumber(path: string): number | JsonNumber {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null || match[0] === '' || match[0] === '-') this.fail(path, 'invalid JSON value');
    const literal = match[0];
    this.pos += literal.length;
    const value = Number(literal);
    if (Number.isFinite(value) && (String(value) === literal || isExactlyRepresentable(literal, value))) {
      return value;
    }
    return new JsonNumber(literal);
  }

  parseString(path: string): string {
    const text = this.text;
    let pos = this.pos + 1;
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) {
        this.pos = pos;
        this.fail(path, 'unterminated string');
      }
      const c = text.charCodeAt(pos);
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = pos;
        this.fail(path, 'control character in string');
      }
      if (c === 0x5c) {
        out += text.slice(start, pos);
        const e = text[pos + 1];
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            pos += 2;
            break;
          case 'b':
            out += '\b';
            pos += 2;
            break;
          case 'f':
            out += '\f';
            pos += 2;
            break;
          case 'n':
            out += '\n';
            pos += 2;
            break;
          case 'r':
            out += '\r';
            pos += 2;
            break;
          case 't':
            out += '\t';
            pos += 2;
            break;
          case 'u': {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              this.pos = pos;
              this.fail(path, 'invalid \\u escape');
            }
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 6;
            break;
          }
          default:
            this.pos = pos;
            this.fail(path, 'invalid escape in string');
        }
        start = pos;
        continue;
      }
      pos++;
    }
    out += text.slice(start, pos);
    this.pos = pos + 1;
    return out;
  }

  private parseArray(path: string, depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      out.push(this.parseValue(pathWithIndex(path, out.length), depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === ']') {
        this.pos++;
        return out;
      }
      this.fail(path, 'expected "," or "]" in array');
    }
  }

  private parseObject(path: string, depth: number): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail(path, 'expected a string key in object');
      const keyStart = this.pos;
      const key = this.parseString(path);
      const keyPath = pathWithKey(path, key);
      if (seen.has(key)) this.fail(keyPath, `duplicate key "${key}"`, 'DuplicateKey', keyStart);
      seen.add(key);
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail(keyPath, 'expected ":" after key');
      this.pos++;
      this.skipWhitespace();
      const value = this.parseValue(keyPath, depth + 1);
      // defineProperty so a "__proto__" key is data, never a prototype switch.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        continue;
      }
      if (c === '}') {
        this.pos++;
        return out;
      }
      this.fail(path, 'expected "," or "}" in object');
    }
  }
}

/** True when the decimal literal denotes exactly the double `value` (e.g. "1.50", "1e3"); false when rounded. */
function isExactlyRepresentable(literal: string, value: number): boolean {
  if (!Number.isSafeInteger(value)) return false;
  // A safe integer written differently ("1e3", "10.0") is exact when its digits carry no lost fraction.
  const normalized = normalizeDecimal(literal);
  return normalized !== undefined && normalized === String(value);
}

function normalizeDecimal(literal: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (m === null) return undefined;
  const exponent = Number(m[4] ?? '0');
  if (Math.abs(exponent) > 400) return undefined;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let point = (m[2] ?? '').length + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const intPart = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const frac = digits.slice(point).replace(/0+$/, '');
  if (frac !== '') return undefined;
  const sign = m[1] === '-' && intPart !== '0' ? '-' : '';
  return sign + intPart;
}
