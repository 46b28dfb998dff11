import { appendPointer } from './json-pointer.js';
import {
  HTTP_METHODS,
  resolved,
  type Document,
  type Operation,
  type Parameter,
  type PathItem,
} from './openapi.js';
import type { SpecProblem } from './spec-error.js';

/** What `checkSpec` found: what stops the start, and what `lenient` repaired in the document. */
export interface SpecCheckOutcome {
  problems: SpecProblem[];
  /** Empty unless `lenient`: each repair made, as a warning. */
  repairs: SpecProblem[];
}

/**
 * What swagger-parser leaves unchecked for OpenAPI 3 (it checks the document against the
 * OpenAPI schema only) but the engine relies on: each path template variable is declared as a
 * required path parameter and the other way round, operationIds are unique, and every security
 * requirement names a declared scheme.
 *
 * `lenient` repairs the (dereferenced) document where the intent is plain: a path variable without
 * its parameter becomes a required string parameter, a path parameter without `required: true`
 * is required (a path has no optional parts).
 */
export function checkSpec(document: Document, lenient = false): SpecCheckOutcome {
  const problems: SpecProblem[] = [];
  const repairs: SpecProblem[] = [];
  const operationIds = new Map<string, string>();
  const schemes = document.components?.securitySchemes ?? {};

  checkSecurityNames(document.security, '#/security', schemes, problems);

  for (const [template, item] of Object.entries(document.paths ?? {})) {
    if (!item) continue;
    const pathPointer = appendPointer('#/paths', template);
    const variables = templateVariables(template);
    if (variables === undefined) {
      problems.push({
        pointer: pathPointer,
        message: `path template ${template} has an unclosed or empty {variable}`,
      });
      continue;
    }
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const pointer = appendPointer(pathPointer, method);
      checkOperationId(operation, pointer, operationIds, problems);
      checkPathParameters(
        item,
        operation,
        variables,
        pointer,
        problems,
        lenient ? repairs : undefined,
      );
      checkSecurityNames(operation.security, appendPointer(pointer, 'security'), schemes, problems);
    }
  }
  return { problems, repairs };
}

function templateVariables(template: string): string[] | undefined {
  const names: string[] = [];
  const pattern = /\{([^{}]*)\}/g;
  for (const match of template.matchAll(pattern)) {
    if (!match[1]) return undefined;
    names.push(match[1]);
  }
  const stripped = template.replace(pattern, '');
  if (stripped.includes('{') || stripped.includes('}')) return undefined;
  return names;
}

function checkOperationId(
  operation: Operation,
  pointer: string,
  seen: Map<string, string>,
  problems: SpecProblem[],
): void {
  const id = operation.operationId;
  if (id === undefined) return;
  const first = seen.get(id);
  if (first !== undefined) {
    problems.push({
      pointer: appendPointer(pointer, 'operationId'),
      message: `operationId "${id}" is used twice (first at ${first}); handlers are found by operationId`,
    });
  } else {
    seen.set(id, pointer);
  }
}

function checkPathParameters(
  item: PathItem,
  operation: Operation,
  variables: string[],
  pointer: string,
  problems: SpecProblem[],
  repairs: SpecProblem[] | undefined,
): void {
  const declared = new Map<string, Parameter>();
  for (const parameter of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
    const value = resolved<Parameter>(parameter);
    if (value?.in === 'path') declared.set(value.name, value);
  }
  for (const name of variables) {
    if (declared.has(name)) continue;
    const message = `path variable {${name}} has no "in: path" parameter named "${name}"`;
    if (repairs === undefined) {
      problems.push({ pointer, message });
      continue;
    }
    repairs.push({ pointer, message: `${message}: any string is accepted` });
    // Added to this operation only: the path item's list is shared by its other methods, which
    // are checked (and repaired) on their own.
    operation.parameters = [
      ...(operation.parameters ?? []),
      { name, in: 'path', required: true, schema: { type: 'string' } },
    ];
  }
  for (const [name, parameter] of declared) {
    if (!variables.includes(name)) {
      // Never sent, so never valid when required: this one stops the start even leniently.
      problems.push({
        pointer,
        message: `path parameter "${name}" does not appear in the path template`,
      });
    } else if (parameter.required !== true) {
      const message = `path parameter "${name}" must have "required: true"`;
      if (repairs === undefined) {
        problems.push({ pointer, message });
      } else {
        repairs.push({
          pointer,
          message: `${message}: it is required (a path has no optional part)`,
        });
        parameter.required = true;
      }
    }
  }
}

function checkSecurityNames(
  requirements: Document['security'],
  pointer: string,
  schemes: Record<string, unknown>,
  problems: SpecProblem[],
): void {
  (requirements ?? []).forEach((requirement, index) => {
    for (const name of Object.keys(requirement)) {
      if (!(name in schemes)) {
        problems.push({
          pointer: appendPointer(pointer, index),
          message: `security requirement names "${name}", which components.securitySchemes does not declare`,
        });
      }
    }
  });
}
