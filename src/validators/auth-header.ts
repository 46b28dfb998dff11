/**
 * The grammar of an `Authorization` header's value (RFC 9110 §11.4):
 *
 *   credentials = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * Every HTTP scheme is one of the two forms: Basic and Bearer a token68, Digest and most others a
 * comma-separated list of parameters. Parsed by hand, in one pass, since a regular expression for
 * quoted strings with escapes inside a list is both slow and hard to read.
 */
export interface ParsedCredentials {
  /** As sent; compare it case-insensitively (RFC 9110 §11.1). */
  scheme: string;
  /** The token68 form (Basic, Bearer, HOBA). */
  token68?: string;
  /** The auth-param form (Digest, AWS4-HMAC-SHA256): names lower-case, quoted values unescaped. */
  params?: ReadonlyMap<string, string>;
  /**
   * Everything after the scheme and its spaces, as sent. With neither form above it broke the
   * grammar; a scheme may still take it (real Bearer tokens such as PocketPaw's session tokens
   * hold a `:`).
   */
  rest: string;
}

const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const UNQUOTED_VALUE_CHAR = /^[\x21\x23-\x2B\x2D-\x7E]$/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** True for a token68 (RFC 9110 §11.2): the form of Basic's and Bearer's credentials. */
export function isToken68(value: string): boolean {
  return TOKEN68.test(value);
}

/**
 * A bearer token as servers take it: a token68, or a run of visible characters without a comma or
 * a quote (RFC 6750's b64token has no `:`, yet PocketPaw's session tokens are `expires:hmac`).
 * Whitespace, a list or a quoted string is never one token.
 */
export function isLooseToken(value: string): boolean {
  return /^[\x21\x23-\x2B\x2D-\x7E]+$/.test(value);
}

/** True for a token (RFC 9110 §5.6.2): what a scheme's name must be. */
export function isToken(value: string): boolean {
  return TOKEN.test(value);
}

/**
 * The credentials of an Authorization header, or undefined without a scheme (or without the space
 * after it).
 */
export function parseCredentials(header: string | undefined): ParsedCredentials | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  let end = 0;
  while (end < value.length && TCHAR.test(value.charAt(end))) end += 1;
  const scheme = value.slice(0, end);
  if (scheme === '') return undefined;
  if (end === value.length) return { scheme, rest: '' };
  if (value.charAt(end) !== ' ') return undefined;
  const rest = value.slice(end).replace(/^ +/, '');
  if (rest === '') return { scheme, rest };
  if (isToken68(rest)) {
    // `abc=` is both a token68 and a parameter with an empty value, which the grammar does not
    // allow (a token is never empty): a token68 it is.
    return { scheme, token68: rest, rest };
  }
  const params = parseAuthParams(rest);
  return params === undefined ? { scheme, rest } : { scheme, params, rest };
}

/**
 * `#auth-param` (RFC 9110 §5.6.1): parameters separated by commas with optional whitespace,
 * empty elements allowed. A name given twice is refused, as RFC 9110 §11.2 says it must be.
 */
function parseAuthParams(text: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  let index = 0;
  const skipSpace = (): void => {
    while (text.charAt(index) === ' ' || text.charAt(index) === '\t') index += 1;
  };
  while (index < text.length) {
    skipSpace();
    if (text.charAt(index) === ',') {
      index += 1;
      continue;
    }
    if (index >= text.length) break;
    const nameStart = index;
    while (index < text.length && TCHAR.test(text.charAt(index))) index += 1;
    const name = text.slice(nameStart, index).toLowerCase();
    if (name === '') return undefined;
    skipSpace();
    if (text.charAt(index) !== '=') return undefined;
    index += 1;
    skipSpace();
    let paramValue: string;
    if (text.charAt(index) === '"') {
      const quoted = readQuotedString(text, index);
      if (quoted === undefined) return undefined;
      paramValue = quoted.value;
      index = quoted.end;
    } else {
      // A token, by the grammar; any visible character but a comma or a quote, as real clients
      // send them (AWS Signature V4's `Credential=AKID/20150830/us-east-1/iam/aws4_request`,
      // `SignedHeaders=host;x-amz-date`).
      const valueStart = index;
      while (index < text.length && UNQUOTED_VALUE_CHAR.test(text.charAt(index))) index += 1;
      paramValue = text.slice(valueStart, index);
      if (paramValue === '') return undefined;
    }
    if (params.has(name)) return undefined;
    params.set(name, paramValue);
    skipSpace();
    if (index < text.length && text.charAt(index) !== ',') return undefined;
  }
  return params.size > 0 ? params : undefined;
}

/**
 * A quoted-string starting at `start` (RFC 9110 §5.6.4): `"` *( qdtext / quoted-pair ) `"`, with
 * each `\x` standing for `x`. Undefined when it is not closed.
 */
function readQuotedString(text: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  let index = start + 1;
  while (index < text.length) {
    const char = text.charAt(index);
    if (char === '"') return { value, end: index + 1 };
    if (char === '\\') {
      if (index + 1 >= text.length) return undefined;
      value += text.charAt(index + 1);
      index += 2;
      continue;
    }
    value += char;
    index += 1;
  }
  return undefined;
}

/** A value as a quoted-string, escaping what must be (for challenges). */
export function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, (char) => `\\${char}`)}"`;
}
