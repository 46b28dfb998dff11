import path from 'node:path';
import { startChild } from './children.js';
import { finished, ROOT } from './cli.js';
import { installedCommand, skipUnlessInstalled } from './installed.js';

/**
 * A real XML parser and schema validator for the JUnit reports: Debian's xmllint (libxml2-utils),
 * which .ci/run installs. A report checked only by standin's own code could be wrong in the same
 * way as the code that wrote it.
 */
const XMLLINT = installedCommand('xmllint', '--version');

/** The JUnit XML schema the reports must satisfy (see the file's own comment). */
export const JUNIT_XSD = path.join(ROOT, 'tests', 'fixtures', 'junit.xsd');

/** The reason to skip, or false when xmllint is there (see support/installed.ts). */
export function skipUnlessXmllint(): string | false {
  return skipUnlessInstalled(XMLLINT, 'libxml2-utils');
}

export interface XmlValidation {
  valid: boolean;
  /** What xmllint said: the errors, with their lines, when it is not valid. */
  output: string;
}

/** Parses `file` and validates it against the XSD `schema`. */
export async function validateXml(file: string, schema: string): Promise<XmlValidation> {
  const outcome = await finished(
    startChild(xmllintCommand(), ['--noout', '--schema', schema, file]),
  );
  return { valid: outcome.code === 0, output: `${outcome.stdout}${outcome.stderr}` };
}

/**
 * The value of an XPath expression over `file`, as xmllint's parser reads it: `string(...)` gives
 * an attribute's or element's text with every reference decoded; `count(...)` a number.
 */
export async function xpath(file: string, expression: string): Promise<string> {
  const outcome = await finished(startChild(xmllintCommand(), ['--xpath', expression, file]));
  if (outcome.code !== 0)
    throw new Error(`xmllint --xpath ${expression} failed (${outcome.code}): ${outcome.stderr}`);
  // xmllint ends what it prints with one line feed of its own.
  return outcome.stdout.replace(/\n$/, '');
}

function xmllintCommand(): string {
  if (XMLLINT === undefined)
    throw new Error('xmllint is not installed (apt-get install libxml2-utils)');
  return XMLLINT;
}
