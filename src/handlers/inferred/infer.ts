import {
  isObject,
  resolved,
  type Document,
  type MediaType,
  type Operation,
  type Parameter,
  type PathItem,
  type RequestBody,
  type Response,
} from '../../spec/openapi.js';
import { pagingPlan, type PagingPlan } from './paging.js';

/** A JSON schema object as it stands in the dereferenced document. */
export type SchemaObject = { [keyword: string]: unknown };

/** The documented success an inferred handler answers with. */
export interface Success {
  status: number;
  /** The JSON media type it is sent as; undefined when the response documents no body. */
  contentType?: string;
  schema?: SchemaObject;
}

/** An operation of the spec that an inferred handler answers. */
export interface PlacedOperation {
  /** As the engine names it: the spec's operationId, or `METHOD /template` without one. */
  operationId: string;
  success: Success;
}

/** How a list answer carries its items: the array itself, or an object wrapping it. */
export type ListShape =
  { kind: 'array' } | { kind: 'wrapped'; arrayKey: string; wrapper: SchemaObject };

/** A collection path and its item path, understood as one resource kept in the vendor's state. */
export interface InferredResource {
  /** Its key in the state: `pets`, or for a nested collection `owners.pets`. */
  name: string;
  collectionPath: string;
  itemPath: string;
  /** The item path's last parameter: `petId`. */
  idParam: string;
  /** The collection path's own parameters (`ownerId`), which scope a nested resource's items. */
  scopeParams: string[];
  /** The item property holding the id: the id parameter's name if the item has it, else `id`. */
  idField: string;
  /** The schema of one item, as the item GET answers it. */
  itemSchema: SchemaObject;
  list: PlacedOperation & { shape: ListShape; paging: PagingPlan };
  read: PlacedOperation;
  create?: PlacedOperation;
  replace?: PlacedOperation;
  merge?: PlacedOperation;
  remove?: PlacedOperation;
  /** The examples the list and item GETs document, for the starting state. */
  examples: { list: unknown[]; item: unknown[] };
}

/** The names under which a list answer wraps its array, in the order they are looked for. */
const WRAPPER_KEYS = ['items', 'data', 'results', 'content', 'records', 'entries', 'values'];

/**
 * Finds the resources a document's paths describe: `/pets` (GET lists) with `/pets/{petId}` (GET
 * reads), and the same one level down (`/owners/{ownerId}/pets` + `/owners/{ownerId}/pets/{petId}`).
 * Both GETs are required: a path without a list, or an item nobody can read, is not clearly a
 * collection, and its operations keep answering from the spec.
 */
export function inferResources(document: Document): InferredResource[] {
  const paths = document.paths ?? {};
  const found: InferredResource[] = [];
  const names = new Set<string>();
  for (const [itemPath, maybeItem] of Object.entries(paths)) {
    const match = /^(.*)\/\{([^}/]+)\}$/.exec(itemPath);
    if (!match || !maybeItem) continue;
    const [, collectionPath = '', idParam = ''] = match;
    const collection = paths[collectionPath];
    if (!collection || !/\/[^{}/]+$/.test(collectionPath)) continue;
    const resource = resourceOf(collectionPath, collection, itemPath, maybeItem, idParam);
    // Two collections of one name (`/pets` and `/v2/pets`) cannot share a state key: the first stays.
    if (!resource || names.has(resource.name)) continue;
    names.add(resource.name);
    found.push(resource);
  }
  return found;
}

function resourceOf(
  collectionPath: string,
  collection: PathItem,
  itemPath: string,
  item: PathItem,
  idParam: string,
): InferredResource | undefined {
  const scopeParams = [...collectionPath.matchAll(/\{([^}/]+)\}/g)].map((found) => found[1] ?? '');
  // Deeper nesting than one parent would need scopes of scopes; it answers from the spec instead.
  if (scopeParams.length > 1) return undefined;
  const statics = collectionPath.split('/').filter((part) => part !== '' && !part.startsWith('{'));
  const name = scopeParams.length === 0 ? (statics.at(-1) ?? '') : statics.slice(-2).join('.');
  const listOperation = collection.get;
  const readOperation = item.get;
  if (!listOperation || !readOperation) return undefined;
  const read = placed(readOperation, 'get', itemPath, [200]);
  const list = placed(listOperation, 'get', collectionPath, [200]);
  const create =
    collection.post && placed(collection.post, 'post', collectionPath, [201, 200, 202]);
  const itemSchema = read?.success.schema ?? create?.success.schema;
  if (!read || !list || !itemSchema || !list.success.schema) return undefined;
  const shape = listShapeOf(list.success.schema);
  if (!shape) return undefined;
  const properties = propertiesOf(itemSchema);
  const idField = idParam in properties ? idParam : 'id' in properties ? 'id' : undefined;
  if (idField === undefined) return undefined;
  const parameters = [...(collection.parameters ?? []), ...(listOperation.parameters ?? [])]
    .map((parameter) => resolved<Parameter>(parameter))
    .filter((parameter): parameter is Parameter => parameter !== undefined);
  const resource: InferredResource = {
    name,
    collectionPath,
    itemPath,
    idParam,
    scopeParams,
    idField,
    itemSchema,
    list: { ...list, shape, paging: pagingPlan(parameters) },
    read,
    examples: {
      list: examplesOf(listOperation, 200).flatMap((example) => itemsOfList(example, shape)),
      item: examplesOf(readOperation, 200),
    },
  };
  if (create && requestJsonSchema(collection.post)) resource.create = create;
  const replace = item.put && placed(item.put, 'put', itemPath, [200, 204]);
  if (replace && requestJsonSchema(item.put)) resource.replace = replace;
  const merge = item.patch && placed(item.patch, 'patch', itemPath, [200, 204]);
  if (merge && requestJsonSchema(item.patch)) resource.merge = merge;
  const remove = item.delete && placed(item.delete, 'delete', itemPath, [204, 200, 202]);
  if (remove) resource.remove = remove;
  return resource;
}

function placed(
  operation: Operation,
  method: string,
  template: string,
  preferred: number[],
): PlacedOperation | undefined {
  const success = successOf(operation, preferred);
  if (!success) return undefined;
  return {
    operationId: operation.operationId ?? `${method.toUpperCase()} ${template}`,
    success,
  };
}

/**
 * The documented success to answer: the first of `preferred` the operation documents, else its
 * lowest 2xx. A response with content but no JSON media type cannot be answered from stored JSON.
 */
function successOf(operation: Operation, preferred: number[]): Success | undefined {
  const responses = operation.responses;
  const documented = Object.keys(responses).filter((key) => /^2\d\d$/.test(key));
  const status =
    preferred.find((candidate) => documented.includes(String(candidate))) ??
    documented.map(Number).sort((a, b) => a - b)[0] ??
    (responses['2XX'] ? preferred[0] : undefined);
  if (status === undefined) return undefined;
  const response = resolved<Response>(responses[String(status)] ?? responses['2XX']);
  if (!response) return undefined;
  const content = response.content ?? {};
  if (Object.keys(content).length === 0) return { status };
  const json = jsonMedia(content);
  if (!json) return undefined;
  const schema = isObject(json.media.schema) ? json.media.schema : undefined;
  return { status, contentType: json.contentType, ...(schema ? { schema } : {}) };
}

function jsonMedia(
  content: Record<string, MediaType>,
): { contentType: string; media: MediaType } | undefined {
  for (const [key, media] of Object.entries(content)) {
    const essence = key.split(';')[0]?.trim().toLowerCase() ?? '';
    if (essence === 'application/json' || essence.endsWith('+json'))
      return { contentType: key, media };
  }
  const any = content['*/*'] ?? content['application/*'];
  return any ? { contentType: 'application/json', media: any } : undefined;
}

function requestJsonSchema(operation: Operation | undefined): SchemaObject | undefined {
  const body = resolved<RequestBody>(operation?.requestBody);
  if (!body) return undefined;
  const json = jsonMedia(body.content);
  return json && isObject(json.media.schema) ? json.media.schema : undefined;
}

/** An array answer, or an object whose array property holds the items. */
function listShapeOf(schema: SchemaObject): ListShape | undefined {
  if (isArraySchema(schema)) return { kind: 'array' };
  const properties = propertiesOf(schema);
  const arrays = Object.entries(properties).filter(
    ([, property]) => isObject(property) && isArraySchema(property),
  );
  const named = WRAPPER_KEYS.find((key) => arrays.some(([name]) => name === key));
  const arrayKey = named ?? (arrays.length === 1 ? arrays[0]?.[0] : undefined);
  return arrayKey === undefined ? undefined : { kind: 'wrapped', arrayKey, wrapper: schema };
}

function isArraySchema(schema: SchemaObject): boolean {
  const type = schema.type;
  return type === 'array' || (Array.isArray(type) && type.includes('array')) || 'items' in schema;
}

/** A schema's properties, including those its `allOf` members declare. */
export function propertiesOf(schema: SchemaObject): Record<string, SchemaObject> {
  const properties: Record<string, SchemaObject> = {};
  for (const member of Array.isArray(schema.allOf) ? schema.allOf : []) {
    if (isObject(member)) Object.assign(properties, propertiesOf(member));
  }
  if (isObject(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      if (isObject(property)) properties[name] = property;
    }
  }
  return properties;
}

/** The required property names of a schema and its `allOf` members. */
export function requiredOf(schema: SchemaObject): Set<string> {
  const required = new Set<string>(
    Array.isArray(schema.required)
      ? schema.required.filter((name) => typeof name === 'string')
      : [],
  );
  for (const member of Array.isArray(schema.allOf) ? schema.allOf : []) {
    if (isObject(member)) for (const name of requiredOf(member)) required.add(name);
  }
  return required;
}

/** Every example the JSON media of a documented status gives: `example` and each `examples` value. */
function examplesOf(operation: Operation, status: number): unknown[] {
  const response = resolved<Response>(operation.responses[String(status)]);
  const json = response?.content ? jsonMedia(response.content) : undefined;
  if (!json) return [];
  const found: unknown[] = [];
  if (json.media.example !== undefined) found.push(json.media.example);
  for (const example of Object.values(json.media.examples ?? {})) {
    if (isObject(example) && 'value' in example) found.push(example.value);
  }
  return found;
}

function itemsOfList(example: unknown, shape: ListShape): unknown[] {
  if (shape.kind === 'array') return Array.isArray(example) ? example : [];
  const wrapped = isObject(example) ? example[shape.arrayKey] : undefined;
  return Array.isArray(wrapped) ? wrapped : [];
}
