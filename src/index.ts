export { createServer, type RunningServer, type VendorSummary } from './server.js';
export {
  connect,
  type ConnectOptions,
  type ControlPlaneClient,
} from './client/control-plane-client.js';
export { ControlPlaneError, type ControlPlaneProblem } from './client/control-plane-error.js';
export type * from './client/control-plane-types.js';
export { DEFAULT_SPECS_DIR, type ServerOptions } from './config.js';
// The handler toolkit: what the author of a module for their own spec needs (see README,
// "Writing a vendor module").
export type {
  Authentication,
  Handler,
  HandlerContext,
  HandlerRequest,
  HandlerResult,
  ListedCredential,
  Principal,
  RateLimitPolicy,
  StateAccess,
  StateDefinition,
  VendorAction,
  VendorModule,
} from './handlers/types.js';
export { refuse } from './handlers/refuse.js';
export { fromSpec } from './handlers/from-spec.js';
// A generated module's state schema is TypeBox: re-exported so that `standin` is its only import.
export { Type, type Static } from 'typebox';
export { indexPer, newSecret, sameSecret, SecretIndex } from './state/secrets.js';
export type { Credential } from './validators/security.js';
export type { Problem } from './engine/problem.js';
export { SpecError } from './spec/spec-error.js';
