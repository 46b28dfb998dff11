import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { isObject, type SchemaNode } from '../spec/openapi.js';
import {
  coerceScalar,
  itemsOf,
  propertiesOf,
  titleOf,
  typesOf,
  xmlOf,
  type XmlHints,
} from './schema-shape.js';

/**
 * XML bodies, read into and written from the JSON shape their schema describes, as OpenAPI's `xml`
 * object says (name, attribute, wrapped, namespace, prefix): `<Pet id="1"><name>Rex</name></Pet>`
 * with `id: {xml: {attribute: true}}` is `{id: 1, name: "Rex"}`. Numbers and booleans are read as
 * the schema types them; what the schema does not describe is kept as text, so the validator
 * still judges it.
 */

const ATTRIBUTE = '@_';
const TEXT = '#text';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  textNodeName: TEXT,
  // Values stay text: the schema, not the look of a value, decides its type.
  parseTagValue: false,
  parseAttributeValue: false,
  // Prefixes are the sender's choice; elements are matched by local name.
  removeNSPrefix: true,
  // The five XML entities only: a DOCTYPE (and so any entity it defines) is refused before this.
  processEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

// fast-xml-parser 5 points to its split-out packages (fast-xml-builder, fast-xml-validator); they
// are only its own dependencies, not standin's, so its bundled classes are used.
// eslint-disable-next-line @typescript-eslint/no-deprecated
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  textNodeName: TEXT,
  suppressBooleanAttributes: false,
  suppressEmptyNode: false,
});

export type XmlReading = { ok: true; value: unknown } | { ok: false; message: string };

/** Reads an XML document as the value its schema describes. */
export function readXml(text: string, schema: SchemaNode | undefined): XmlReading {
  // No DOCTYPE, so no entity expansion ("billion laughs") and no external entities.
  if (/<!DOCTYPE/i.test(text))
    return { ok: false, message: 'has a DOCTYPE, which is not accepted' };
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- see `builder`
  const verdict = XMLValidator.validate(text);
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    return { ok: false, message: `is not well-formed XML: ${msg} (line ${line}, column ${col})` };
  }
  let document: unknown;
  try {
    document = parser.parse(text);
  } catch (error) {
    return { ok: false, message: `is not well-formed XML: ${(error as Error).message}` };
  }
  const root = isObject(document)
    ? Object.entries(document).find(([name]) => !name.startsWith('?') && !name.startsWith('#'))
    : undefined;
  if (root === undefined) return { ok: false, message: 'has no root element' };
  const [, content] = root;
  const rootSchema = schema ?? {};
  if (typesOf(rootSchema).has('array') && !typesOf(rootSchema).has('object')) {
    // A top-level array is the root element's children, whatever their name.
    const items = itemsOf(rootSchema);
    const children = isObject(content)
      ? Object.entries(content)
          .filter(([name]) => !name.startsWith(ATTRIBUTE) && name !== TEXT)
          .flatMap(([, child]) => asList(child))
      : [];
    return { ok: true, value: children.map((child) => fromNode(child, items)) };
  }
  return { ok: true, value: fromNode(content, rootSchema) };
}

function asList(node: unknown): unknown[] {
  return Array.isArray(node) ? node : [node];
}

/** One element's content (as fast-xml-parser gives it) as the value of its schema. */
function fromNode(node: unknown, schema: SchemaNode): unknown {
  const types = typesOf(schema);
  const isStructured = (types.has('object') || types.size === 0) && isObject(node);
  if (!isStructured || !isObject(node)) {
    // A scalar: the element's text (an element with attributes keeps its text in #text).
    const text = isObject(node) ? textOf(node[TEXT]) : textOf(node);
    if (types.has('object') && text === '') return {};
    if (types.has('array') && !types.has('object'))
      return text === '' ? [] : [coerceScalar(text, itemsOf(schema))];
    return coerceScalar(text, schema);
  }
  const value: Record<string, unknown> = {};
  const claimed = new Set<string>();
  for (const [name, property] of propertiesOf(schema)) {
    const hints = xmlOf(property);
    const xmlName = hints.name ?? name;
    if (hints.attribute === true) {
      const attribute = node[ATTRIBUTE + localName(xmlName)];
      claimed.add(ATTRIBUTE + localName(xmlName));
      if (attribute !== undefined) value[name] = coerceScalar(textOf(attribute), property);
      continue;
    }
    if (typesOf(property).has('array') && !typesOf(property).has('object')) {
      const items = itemsOf(property);
      const itemName = localName(xmlOf(items).name ?? name);
      let list: unknown[];
      if (hints.wrapped === true) {
        const wrapper = node[localName(xmlName)];
        claimed.add(localName(xmlName));
        if (wrapper === undefined) continue;
        list =
          isObject(wrapper) && wrapper[itemName] !== undefined ? asList(wrapper[itemName]) : [];
      } else {
        const elements = node[itemName];
        claimed.add(itemName);
        if (elements === undefined) continue;
        list = asList(elements);
      }
      value[name] = list.map((item) => fromNode(item, items));
      continue;
    }
    const element = node[localName(xmlName)];
    claimed.add(localName(xmlName));
    if (element === undefined) continue;
    // A repeated element where one is expected: kept as a list, so the validator says so.
    value[name] = Array.isArray(element)
      ? element.map((entry) => fromNode(entry, property))
      : fromNode(element, property);
  }
  for (const [name, child] of Object.entries(node)) {
    if (claimed.has(name) || name === TEXT || name.startsWith(ATTRIBUTE)) continue;
    // Not described: kept (as text or nested objects) so `additionalProperties` can judge it.
    value[name] = Array.isArray(child)
      ? child.map((entry) => fromNode(entry, {}))
      : fromNode(child, {});
  }
  return value;
}

function textOf(node: unknown): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  return '';
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/**
 * Writes values of one schema as XML, prepared once per media type at startup. The root element
 * (and a top-level array's items) is named by the schema's `xml.name`, else its component's name
 * (when the caller knows the document's components), else its title, else `root` (`item`).
 */
export function createXmlWriter(
  schema: SchemaNode | undefined,
  componentNameOf: (schema: SchemaNode) => string | undefined = () => undefined,
): (value: unknown) => string {
  const rootSchema = schema ?? {};
  const hints = xmlOf(rootSchema);
  const rootName = hints.name ?? componentNameOf(rootSchema) ?? titleOf(rootSchema) ?? 'root';
  return (value) => {
    const tree: Record<string, unknown> = {};
    if (Array.isArray(value)) {
      // A top-level array needs one root: the array's own name wraps the items.
      const items = itemsOf(rootSchema);
      const itemHints = xmlOf(items);
      const itemName = qualified(
        itemHints,
        itemHints.name ?? componentNameOf(items) ?? titleOf(items) ?? 'item',
      );
      const wrapper = withNamespace({}, hints);
      wrapper[itemName] = value.map((item) => toNode(item, items, itemHints));
      tree[qualified(hints, rootName)] = wrapper;
    } else {
      tree[qualified(hints, rootName)] = toNode(value, rootSchema, hints);
    }
    return builder.build(tree);
  };
}

/** `prefix:name` when the `xml` object gives a prefix. */
function qualified(hints: XmlHints, name: string): string {
  return hints.prefix ? `${hints.prefix}:${localName(name)}` : name;
}

/** Declares the element's namespace (`xmlns:prefix`, or the default `xmlns`). */
function withNamespace(node: Record<string, unknown>, hints: XmlHints): Record<string, unknown> {
  if (hints.namespace)
    node[`${ATTRIBUTE}xmlns${hints.prefix ? `:${hints.prefix}` : ''}`] = hints.namespace;
  return node;
}

/** A value as fast-xml-parser's builder takes an element's content. */
function toNode(value: unknown, schema: SchemaNode, hints: XmlHints): unknown {
  if (!isObject(value)) {
    const text = scalarText(value);
    return hints.namespace ? withNamespace({ [TEXT]: text }, hints) : text;
  }
  const node = withNamespace({}, hints);
  const properties = propertiesOf(schema);
  for (const [name, propertyValue] of Object.entries(value)) {
    if (propertyValue === undefined) continue;
    const property = properties.get(name) ?? {};
    const propertyHints = xmlOf(property);
    const xmlName = qualified(propertyHints, propertyHints.name ?? name);
    if (propertyHints.attribute === true && !isObject(propertyValue)) {
      node[ATTRIBUTE + xmlName] = scalarText(propertyValue);
      continue;
    }
    if (Array.isArray(propertyValue)) {
      const items = itemsOf(property);
      const itemHints = xmlOf(items);
      const itemName = qualified(itemHints, itemHints.name ?? name);
      const list = propertyValue.map((item) => toNode(item, items, itemHints));
      if (propertyHints.wrapped === true) {
        const wrapper = withNamespace({}, propertyHints);
        wrapper[itemName] = list;
        node[xmlName] = wrapper;
      } else {
        node[itemName] = list;
      }
      continue;
    }
    node[xmlName] = toNode(propertyValue, property, propertyHints);
  }
  return node;
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return JSON.stringify(value);
}
