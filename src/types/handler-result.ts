/**
 * Types the validators, the engine and the handlers all need, in a module that imports nothing:
 * dependencies point down to it, never back up (validators/ does not import handlers/).
 */

/**
 * What a handler answers: a plain value, never a write to the socket, so the engine can check it
 * against the spec before anything is sent.
 */
export interface HandlerResult {
  status: number;
  body?: unknown;
  /** The media type; may be left out when the documented response has only one. */
  contentType?: string;
  headers?: Record<string, string | number | readonly string[]>;
}
