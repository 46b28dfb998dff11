/**
 * How deep a JSON text nests, read from the text without parsing it: a body nested thousands deep
 * parses, but every recursive step after it (validation of a recursive schema, a handler's walk,
 * serialising an answer) could overflow the stack. standin refuses such bodies before that.
 */
export const MAX_JSON_DEPTH = 128;

export function nestsDeeperThan(text: string, limit: number): boolean {
  // A text shorter than the limit cannot open that many brackets.
  if (text.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c)
        index += 1; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x7b || code === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}
