import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { OpenAPIV3 } from 'openapi-types';

/**
 * Judges an answer against a dereferenced spec, with an ajv of its own (not standin's compiled
 * validators): a documented status must carry a documented media type and a body valid for its
 * schema; a status the spec does not document may only be one of standin's own refusals
 * (problem+json, `urn:standin:problem:*`, its status in the body). Answers `[]` when it is valid.
 */
export interface AnswerToJudge {
  method: string;
  template: string;
  status: number;
  contentType: string | null;
  text: string;
}

/** OpenAPI's numeric formats: not JSON Schema formats, but documented in every spec. */
const OPENAPI_FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'];

export class ResponseOracle {
  private readonly ajv: Ajv | Ajv2020;
  private readonly compiled = new Map<object, ValidateFunction>();

  constructor(private readonly document: OpenAPIV3.Document) {
    this.ajv = document.openapi.startsWith('3.1')
      ? new Ajv2020({ strict: false, allErrors: true })
      : new Ajv({ strict: false, allErrors: true });
    addFormats.default(this.ajv);
    for (const format of OPENAPI_FORMATS) this.ajv.addFormat(format, true);
  }

  judge(answer: AnswerToJudge): string[] {
    const item = this.document.paths[answer.template];
    const operation = (
      {
        GET: item?.get,
        POST: item?.post,
        PUT: item?.put,
        DELETE: item?.delete,
        PATCH: item?.patch,
      } as Record<string, OpenAPIV3.OperationObject | undefined>
    )[answer.method];
    if (!operation) return [`${answer.method} ${answer.template} is not in the spec`];
    const status = String(answer.status);
    const documented = (operation.responses[status] ??
      operation.responses[`${status.charAt(0)}XX`] ??
      operation.responses.default) as OpenAPIV3.ResponseObject | undefined;
    const essence = (answer.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (!documented) return standinRefusal(answer, essence);
    if (!documented.content || Object.keys(documented.content).length === 0) {
      return answer.text === '' ? [] : [`${status} documents no body, got ${answer.text.length} B`];
    }
    const media = documented.content[essence];
    if (!media) {
      return [
        `${status} answered ${essence || 'no media type'}, the spec documents ${Object.keys(documented.content).join(', ')}`,
      ];
    }
    if (!media.schema) return [];
    let body: unknown = answer.text;
    if (essence.endsWith('json')) {
      try {
        body = JSON.parse(answer.text);
      } catch {
        return [`${status} ${essence} is not JSON: ${answer.text.slice(0, 80)}`];
      }
    }
    const validate = this.validatorFor(media.schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${status} body${error.instancePath} ${error.message ?? error.keyword}`,
    );
  }

  private validatorFor(schema: object): ValidateFunction {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(schema, validate);
    }
    return validate;
  }
}

function standinRefusal(answer: AnswerToJudge, essence: string): string[] {
  const undocumented = `${answer.status} is not documented for ${answer.method} ${answer.template}`;
  if (essence !== 'application/problem+json') return [`${undocumented}, and not problem+json`];
  const problem = JSON.parse(answer.text) as { type?: unknown; status?: unknown };
  const failures: string[] = [];
  if (typeof problem.type !== 'string' || !problem.type.startsWith('urn:standin:problem:'))
    failures.push(
      `${undocumented}, and its problem type is not standin's: ${String(problem.type)}`,
    );
  if (problem.status !== answer.status)
    failures.push(`the problem says status ${String(problem.status)}, the answer ${answer.status}`);
  return failures;
}
