import { fromSpec, Type, type Static, type StateDefinition, type VendorModule } from 'standin';
import type { Handlers } from './types.js';

/**
 * The state standin keeps for petstore (per namespace, in memory or Redis): its schema, checked
 * at start, by --state and by PUT /__admin/state/petstore, and the value it starts from.
 */
const Pet = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tag: Type.Optional(Type.String()),
});
const State = Type.Object({ pets: Type.Array(Pet) });
type State = Static<typeof State>;
const state: StateDefinition<State> = { schema: State, initial: () => ({ pets: [] }) };

/**
 * One handler per operationId. `fromSpec()` answers from the spec (its example, or a value
 * generated from its schema) until you write the handler; every answer is checked against the spec,
 * and `types.ts` makes an undocumented status or body a type error.
 */
const handlers: Handlers<State> = {
  /** GET /pets: List all pets */
  listPets: () => fromSpec(),
  /** POST /pets: Add a pet */
  createPet: ({ request, state }) =>
    state.update((current) => {
      const pet = { ...request.body, id: `pet-${current.pets.length + 1}` };
      return { value: { pets: [...current.pets, pet] }, result: { status: 201, body: pet } };
    }),
  /** GET /pets/{petId}: Read a pet */
  showPetById: async ({ request, state }) => {
    const pet = (await state.read()).pets.find((pet) => pet.id === request.params.path.petId);
    return pet
      ? { status: 200, body: pet }
      : { status: 404, body: { code: 404, message: 'No pet has this id' } };
  },
  /** DELETE /pets/{petId}: Remove a pet */
  deletePet: () => fromSpec(),
  // standin init --update adds a stub above this line for each operation new in the spec.
};

export default { state, handlers } satisfies VendorModule<State>;
