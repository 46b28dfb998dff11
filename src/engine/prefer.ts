/**
 * The `Prefer` header as Prism reads it: `Prefer: code=404, example=notFound, dynamic=true`
 * chooses the documented status, a named example, or a freshly generated body.
 */
export interface Preferences {
  code?: number;
  example?: string;
  dynamic?: boolean;
  /** Preferences standin understands but whose value is not usable, e.g. `code=abc`. */
  invalid: string[];
}

export function parsePrefer(header: string | string[] | undefined): Preferences {
  const preferences: Preferences = { invalid: [] };
  if (header === undefined) return preferences;
  const text = Array.isArray(header) ? header.join(',') : header;
  for (const part of text.split(/[,;]/)) {
    const [rawKey = '', ...rest] = part.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest
      .join('=')
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (key === 'code') {
      if (/^[1-5]\d\d$/.test(value)) preferences.code = Number(value);
      else preferences.invalid.push(`code=${value} (expected a status such as 404)`);
    } else if (key === 'example') {
      if (value !== '') preferences.example = value;
      else preferences.invalid.push('example= (expected an example name)');
    } else if (key === 'dynamic') {
      if (value === '' || /^(true|false)$/i.test(value))
        preferences.dynamic = value.toLowerCase() !== 'false';
      else preferences.invalid.push(`dynamic=${value} (expected true or false)`);
    }
    // Other preferences (respond-async, return=minimal, ...) are not standin's to judge.
  }
  return preferences;
}

export function hasPreferences(preferences: Preferences): boolean {
  return (
    preferences.code !== undefined ||
    preferences.example !== undefined ||
    preferences.dynamic === true
  );
}

/**
 * `serve --dynamic` (Prism's `-d`): a request that says nothing of `dynamic` is answered as if it
 * sent `dynamic=true`; its own `Prefer: dynamic=false` (or a named example) still wins.
 */
export function withDynamicDefault(
  preferences: Preferences,
  dynamicByDefault: boolean,
): Preferences {
  if (!dynamicByDefault || preferences.dynamic !== undefined) return preferences;
  return { ...preferences, dynamic: true };
}
