/**
 * Escaping for XML 1.0, which a JUnit report is. Operation ids come from specs and messages from
 * specs and requests, so any of them may hold `<`, `&`, quotes or control characters; a report that
 * does not parse is a CI job that shows nothing, so nothing reaches the file unescaped.
 */

/**
 * Characters XML 1.0 cannot carry at all, even as references: C0 controls other than tab, line
 * feed and carriage return, U+FFFE, U+FFFF, and halves of surrogate pairs standing alone.
 */
const NOT_IN_XML =
  // eslint-disable-next-line no-control-regex -- control characters are what this finds
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Shown in place of a character XML cannot carry, so that a reader still sees it was there. */
function visible(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text between tags. A carriage return is a reference, or parsers would make it a line feed. */
export function xmlText(value: string): string {
  return value
    .replace(NOT_IN_XML, visible)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\r/g, '&#13;');
}

/**
 * An attribute's value, for double quotes. Tabs and line breaks are references: parsers turn them
 * into spaces otherwise (attribute-value normalisation).
 */
export function xmlAttribute(value: string): string {
  return xmlText(value)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;');
}

/** `name="value" ...`, each value escaped. */
export function xmlAttributes(
  attributes: ReadonlyArray<readonly [string, string | number]>,
): string {
  return attributes.map(([name, value]) => `${name}="${xmlAttribute(String(value))}"`).join(' ');
}
