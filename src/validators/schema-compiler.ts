import type { LoadedSpec } from '../spec/load-spec.js';
import type { SchemaNode } from '../spec/openapi.js';
import type { SpecProblem } from '../spec/spec-error.js';
import type { AjvPair, ValidateFunction } from './ajv.js';
import { toJsonSchema, type Direction } from './to-json-schema.js';

export interface ParameterSchema {
  name: string;
  schema: SchemaNode;
  required: boolean;
  /** Where the parameter's schema stands in the spec. */
  pointer: string;
}

/**
 * Compiles one spec's schemas with the shared ajv instances, once each: a component used by many
 * operations is compiled once per direction. A schema ajv cannot compile (a bad `pattern`, say)
 * is recorded as a problem at its place in the spec rather than thrown, so `standin validate`
 * reports every one of them.
 */
export class SchemaCompiler {
  readonly problems: SpecProblem[] = [];
  private readonly cache = new Map<object, Map<string, ValidateFunction>>();

  constructor(
    private readonly ajv: AjvPair,
    private readonly spec: Pick<LoadedSpec, 'version'>,
  ) {}

  /**
   * A validator for a body (request or response), or undefined when the schema is unusable.
   * `coerce` is for bodies whose values arrive as strings (`application/x-www-form-urlencoded`).
   */
  body(
    schema: SchemaNode,
    direction: Direction,
    pointer: string,
    coerce = false,
  ): ValidateFunction | undefined {
    const key = typeof schema === 'object' ? schema : undefined;
    const variant = `${direction}:${coerce}`;
    const cached = key ? this.cache.get(key)?.get(variant) : undefined;
    if (cached) return cached;
    const validate = this.compile(
      coerce ? this.ajv.parameter : this.ajv.body,
      toJsonSchema(schema, { version: this.spec.version, direction, forbidden: 'keyword' }),
      pointer,
    );
    if (validate && key) {
      const variants = this.cache.get(key) ?? new Map<string, ValidateFunction>();
      variants.set(variant, validate);
      this.cache.set(key, variants);
    }
    return validate;
  }

  /**
   * One validator for all parameters of one location (query, say), as the properties of an
   * object: one call per request checks them all and reports each failure by name.
   */
  parameters(
    parameters: readonly ParameterSchema[],
    pointer: string,
  ): ValidateFunction | undefined {
    const properties: Record<string, SchemaNode> = {};
    const required: string[] = [];
    for (const parameter of parameters) {
      properties[parameter.name] = toJsonSchema(parameter.schema, {
        version: this.spec.version,
        direction: 'request',
        forbidden: 'keyword',
      });
      if (parameter.required) required.push(parameter.name);
    }
    return this.compile(this.ajv.parameter, { type: 'object', properties, required }, pointer);
  }

  /** A validator for a response header value (headers are strings on the wire: coerced). */
  header(schema: SchemaNode, pointer: string): ValidateFunction | undefined {
    return this.compile(
      this.ajv.parameter,
      toJsonSchema(schema, {
        version: this.spec.version,
        direction: 'response',
        forbidden: 'keyword',
      }),
      pointer,
    );
  }

  private compile(
    ajv: AjvPair['body'],
    schema: SchemaNode,
    pointer: string,
  ): ValidateFunction | undefined {
    // Many operations of a document share a shape (every `{id}` path parameter, every error
    // body), and compiling is the bulk of startup for a large document: the same JSON Schema, as
    // text, is compiled once per ajv instance. The converted schemas are trees (a cycle becomes
    // `$defs` and `$ref`), so they always have a text.
    const text = JSON.stringify(schema);
    const compiled = compiledByText(ajv);
    const known = compiled.get(text);
    if (known) return known;
    try {
      const validate = ajv.compile(schema);
      compiled.set(text, validate);
      return validate;
    } catch (error) {
      this.problems.push({
        pointer,
        message: `the schema cannot be compiled: ${error instanceof Error ? error.message : String(error)}`,
      });
      return undefined;
    }
  }
}

/** Validators by the text of their schema, per ajv instance (so per coercion setting). */
const validatorsByText = new WeakMap<AjvPair['body'], Map<string, ValidateFunction>>();

function compiledByText(ajv: AjvPair['body']): Map<string, ValidateFunction> {
  let compiled = validatorsByText.get(ajv);
  if (!compiled) {
    compiled = new Map();
    validatorsByText.set(ajv, compiled);
  }
  return compiled;
}
