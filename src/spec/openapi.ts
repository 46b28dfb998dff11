import type { OpenAPIV3 } from 'openapi-types';

/**
 * The OpenAPI shapes standin reads. Paths, operations, parameters, request bodies, responses and
 * security have the same shape in 3.0 and 3.1, so both versions are read through the 3.0 types;
 * schemas differ between the versions and are handled as plain JSON objects (see
 * validators/to-json-schema.ts), never through these types.
 */
export type Document = OpenAPIV3.Document;
export type PathItem = OpenAPIV3.PathItemObject;
export type Operation = OpenAPIV3.OperationObject;
export type Parameter = OpenAPIV3.ParameterObject;
export type RequestBody = OpenAPIV3.RequestBodyObject;
export type Response = OpenAPIV3.ResponseObject;
export type MediaType = OpenAPIV3.MediaTypeObject;
export type Header = OpenAPIV3.HeaderObject;
export type Example = OpenAPIV3.ExampleObject;
export type SecurityScheme = OpenAPIV3.SecuritySchemeObject;
export type SecurityRequirement = OpenAPIV3.SecurityRequirementObject;

export type OpenApiVersion = '3.0' | '3.1';

/** A schema as it stands in the document: a JSON object (or, in 3.1, a boolean). */
export type SchemaNode = boolean | { [keyword: string]: unknown };

export const HTTP_METHODS = [
  'get',
  'put',
  'post',
  'delete',
  'options',
  'head',
  'patch',
  'trace',
] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * swagger-parser dereferences every `$ref`; only a circular one may remain, and only inside
 * schemas. Anything else that still carries `$ref` is a broken document.
 */
export function resolved<T extends object>(
  value: T | OpenAPIV3.ReferenceObject | undefined,
): T | undefined {
  if (value === undefined) return undefined;
  if ('$ref' in value && typeof value.$ref === 'string') {
    throw new Error(`unresolved $ref ${value.$ref}`);
  }
  return value as T;
}

export function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
