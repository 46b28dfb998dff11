import { isObject } from '../../spec/openapi.js';
import type { LoadedSpec } from '../../spec/load-spec.js';
import type { HandlerResult } from '../../types/handler-result.js';
import { refuse } from '../refuse.js';
import type { Handler, HandlerContext, VendorModule } from '../types.js';
import {
  generatedFields,
  idText,
  nextId,
  readOnlyFields,
  withoutWriteOnly,
  type Item,
} from './ids.js';
import {
  inferResources,
  propertiesOf,
  requiredOf,
  type InferredResource,
  type PlacedOperation,
} from './infer.js';
import { mergePatch } from './merge-patch.js';
import { pageOf, type Page } from './paging.js';
import {
  itemsIn,
  sequenceOf,
  stateDefinition,
  withItems,
  withSequence,
  type InferredState,
} from './state.js';

type Context = HandlerContext<InferredState>;

/**
 * The module of a spec that comes without one: a state of the resources its paths describe
 * (engine-independent rules in infer.ts), and a handler for each operation placed on them. Every
 * other operation has no handler and answers from the spec. Undefined when no resource is found.
 */
export function inferredModule(spec: LoadedSpec): VendorModule<InferredState> | undefined {
  const resources = inferResources(spec.document);
  if (resources.length === 0) return undefined;
  const handlers: Record<string, Handler<InferredState>> = {};
  for (const resource of resources) {
    const add = (placed: PlacedOperation | undefined, handler: Handler<InferredState>): void => {
      // One operation placed twice (a path shared by two resources) keeps its first meaning.
      if (placed && !(placed.operationId in handlers)) handlers[placed.operationId] = handler;
    };
    add(resource.list, (context) => list(resource, context));
    add(resource.read, (context) => read(resource, context));
    add(resource.create, (context) => create(resource, context));
    add(resource.replace, (context) => replace(resource, context));
    add(resource.merge, (context) => merge(resource, context));
    add(resource.remove, (context) => remove(resource, context));
  }
  return { state: stateDefinition(resources), handlers };
}

async function list(resource: InferredResource, context: Context): Promise<HandlerResult> {
  const state = await context.state.read();
  const items = itemsIn(state, resource, scopeOf(resource, context));
  const page = pageOf(items, resource.list.paging, context.request.params.query);
  const shown = page.items.map((item) => withoutWriteOnly(resource.itemSchema, item));
  const { shape, success } = resource.list;
  const body =
    shape.kind === 'array'
      ? shown
      : wrapped(shape.wrapper, shape.arrayKey, shown, page, context.now);
  return answer(success, body);
}

async function read(resource: InferredResource, context: Context): Promise<HandlerResult> {
  const state = await context.state.read();
  const found = find(itemsIn(state, resource, scopeOf(resource, context)), resource, context);
  return answer(resource.read.success, withoutWriteOnly(resource.itemSchema, found.item));
}

async function create(resource: InferredResource, context: Context): Promise<HandlerResult> {
  const body = isObject(context.request.body) ? context.request.body : {};
  const scope = scopeOf(resource, context);
  const stored = await context.state.update((state) => {
    const issued = nextId(
      propertiesOf(resource.itemSchema)[resource.idField],
      sequenceOf(state, resource),
    );
    const item = generatedFields(
      resource.itemSchema,
      { ...body, [resource.idField]: issued.id },
      context.now,
    );
    const items = [...itemsIn(state, resource, scope), item];
    return {
      value: withSequence(withItems(state, resource, scope, items), resource, issued.sequence),
      result: item,
    };
  });
  const success = resource.create?.success ?? resource.read.success;
  return answer(success, withoutWriteOnly(resource.itemSchema, stored));
}

async function replace(resource: InferredResource, context: Context): Promise<HandlerResult> {
  const body = isObject(context.request.body) ? context.request.body : {};
  return change(resource, context, resource.replace, (existing) => ({
    ...readOnlyFields(resource.itemSchema, existing),
    ...body,
  }));
}

async function merge(resource: InferredResource, context: Context): Promise<HandlerResult> {
  return change(resource, context, resource.merge, (existing) => {
    const merged = mergePatch(existing, context.request.body);
    return isObject(merged) ? merged : existing;
  });
}

/** PUT and PATCH: the item's next value, keeping its id, with server-filled fields completed. */
async function change(
  resource: InferredResource,
  context: Context,
  placed: PlacedOperation | undefined,
  next: (existing: Item) => Item,
): Promise<HandlerResult> {
  const scope = scopeOf(resource, context);
  const changed = await context.state.update((state) => {
    const items = itemsIn(state, resource, scope);
    const found = find(items, resource, context);
    const item = generatedFields(
      resource.itemSchema,
      { ...next(found.item), [resource.idField]: found.item[resource.idField] },
      context.now,
    );
    const nextItems = items.map((each, index) => (index === found.index ? item : each));
    return { value: withItems(state, resource, scope, nextItems), result: item };
  });
  return answer(
    placed?.success ?? resource.read.success,
    withoutWriteOnly(resource.itemSchema, changed),
  );
}

async function remove(resource: InferredResource, context: Context): Promise<HandlerResult> {
  const scope = scopeOf(resource, context);
  const removed = await context.state.update((state) => {
    const items = itemsIn(state, resource, scope);
    const found = find(items, resource, context);
    const rest = items.filter((_, index) => index !== found.index);
    return { value: withItems(state, resource, scope, rest), result: found.item };
  });
  const success = resource.remove?.success ?? { status: 204 };
  return answer(success, withoutWriteOnly(resource.itemSchema, removed));
}

/** The item the path names, or the vendor's documented 404 (rendered by the engine from the spec). */
function find(
  items: readonly Item[],
  resource: InferredResource,
  context: Context,
): { item: Item; index: number } {
  const wanted = idText(context.request.params.path[resource.idParam]);
  const index = items.findIndex((item) => idText(item[resource.idField]) === wanted);
  const item = items[index];
  if (item === undefined)
    throw refuse(404, `no ${resource.name} item has ${resource.idField} ${wanted}`);
  return { item, index };
}

/** A nested resource's parent id (`7` in `/owners/7/pets`); '' for a top-level one. */
function scopeOf(resource: InferredResource, context: Context): string {
  return resource.scopeParams.map((name) => idText(context.request.params.path[name])).join('/');
}

/** The documented success, with the body only where the response documents one. */
function answer(success: PlacedOperation['success'], body: unknown): HandlerResult {
  if (success.contentType === undefined) return { status: success.status };
  return { status: success.status, contentType: success.contentType, body };
}

/** Numbers a list wrapper commonly reports beside its items, by the names they go by. */
const WRAPPER_NUMBERS: Record<string, (page: Page<unknown>) => number | undefined> = {
  total: (page) => page.total,
  total_count: (page) => page.total,
  totalCount: (page) => page.total,
  totalItems: (page) => page.total,
  total_items: (page) => page.total,
  count: (page) => page.items.length,
  offset: (page) => page.offset,
  skip: (page) => page.offset,
  limit: (page) => page.size,
  per_page: (page) => page.size,
  pageSize: (page) => page.size,
  page_size: (page) => page.size,
  page: (page) => page.page,
};

/**
 * A list wrapped as the spec documents it: `{items: [...]}` with the counts it names filled in;
 * any other property it requires is a sample of its schema.
 */
function wrapped(
  wrapper: InferredResource['itemSchema'],
  arrayKey: string,
  items: Item[],
  page: Page<Item>,
  now: Date,
): Item {
  const properties = propertiesOf(wrapper);
  const required = requiredOf(wrapper);
  const body: Item = {};
  for (const [name, property] of Object.entries(properties)) {
    if (name === arrayKey) continue;
    const number = WRAPPER_NUMBERS[name]?.(page);
    const numeric = property.type === 'integer' || property.type === 'number';
    if (number !== undefined && numeric) body[name] = number;
  }
  const filled = generatedFields({ properties, required: [...required] }, body, now);
  return { ...filled, [arrayKey]: items };
}
