export { createServer, type RunningServer, type VendorSummary } from './server.js';
export {
  connect,
  type ConnectOptions,
  type ControlPlaneClient,
} from './client/control-plane-client.js';
export { ControlPlaneError, type ControlPlaneProblem } from './client/control-plane-error.js';
export type * from './client/control-plane-types.js';
export { DEFAULT_SPECS_DIR, type ServerOptions } from './config.js';
export type { Handler, HandlerRequest, HandlerResult, VendorModule } from './handlers/types.js';
export type { Credential } from './validators/security.js';
export type { Problem } from './engine/problem.js';
export { SpecError } from './spec/spec-error.js';
