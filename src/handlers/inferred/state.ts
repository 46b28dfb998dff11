import { isObject } from '../../spec/openapi.js';
import type { StateDefinition } from '../types.js';
import { highestNumber, idText, type Item } from './ids.js';
import type { InferredResource } from './infer.js';

/**
 * The state of a vendor whose resources are inferred: each resource's items by its name (`pets`);
 * a nested resource's items (`owners.pets`) by the parent's id (`{"7": [...]}`), so that the pets
 * of owner 7 are not those of owner 8. `sequences` holds the last number each resource handed out
 * as an id, so a deleted item's id is not given again.
 */
export interface InferredState {
  resources: Record<string, Item[] | Record<string, Item[]>>;
  sequences?: Record<string, number>;
}

const ITEMS = { type: 'array', items: { type: 'object' } };

export function stateDefinition(
  resources: readonly InferredResource[],
): StateDefinition<InferredState> {
  const properties = Object.fromEntries(
    resources.map((resource) => [
      resource.name,
      resource.scopeParams.length === 0
        ? { ...ITEMS, items: { type: 'object', required: [resource.idField] } }
        : {
            type: 'object',
            additionalProperties: {
              ...ITEMS,
              items: { type: 'object', required: [resource.idField] },
            },
          },
    ]),
  );
  const seed = startingState(resources);
  return {
    schema: {
      type: 'object',
      required: ['resources'],
      properties: {
        resources: { type: 'object', properties, additionalProperties: false },
        sequences: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 } },
      },
      additionalProperties: false,
    },
    // The examples are values, not times: the same starting state at every reset.
    initial: () => structuredClone(seed),
  };
}

/**
 * The starting state from the spec's examples: the items of the list GET's examples, or else the
 * item GET's examples, each kept once by id. A nested resource starts empty, since an example does
 * not say whose it is.
 */
function startingState(resources: readonly InferredResource[]): InferredState {
  const state: InferredState = { resources: {} };
  for (const resource of resources) {
    if (resource.scopeParams.length > 0) {
      state.resources[resource.name] = {};
      continue;
    }
    const fromList = resource.examples.list.filter(isObject);
    const candidates = fromList.length > 0 ? fromList : resource.examples.item.filter(isObject);
    const byId = new Map<string, Item>();
    for (const item of candidates) {
      const id = item[resource.idField];
      if (id !== undefined && !byId.has(idText(id))) byId.set(idText(id), structuredClone(item));
    }
    state.resources[resource.name] = [...byId.values()];
  }
  return state;
}

/** The items of a resource in one scope (a nested resource's parent), and how to write them back. */
export function itemsIn(state: InferredState, resource: InferredResource, scope: string): Item[] {
  const kept = state.resources[resource.name];
  if (Array.isArray(kept)) return kept;
  return kept?.[scope] ?? [];
}

export function withItems(
  state: InferredState,
  resource: InferredResource,
  scope: string,
  items: Item[],
): InferredState {
  const kept = state.resources[resource.name];
  const next =
    resource.scopeParams.length === 0 || Array.isArray(kept)
      ? items
      : { ...(kept ?? {}), [scope]: items };
  return { ...state, resources: { ...state.resources, [resource.name]: next } };
}

/** The last id number handed out: at least the highest among every item of the resource. */
export function sequenceOf(state: InferredState, resource: InferredResource): number {
  const kept = state.resources[resource.name];
  const all = Array.isArray(kept) ? kept : Object.values(kept ?? {}).flat();
  return Math.max(state.sequences?.[resource.name] ?? 0, highestNumber(all, resource.idField));
}

export function withSequence(
  state: InferredState,
  resource: InferredResource,
  sequence: number,
): InferredState {
  return { ...state, sequences: { ...state.sequences, [resource.name]: sequence } };
}
