import { createRequire } from 'node:module';
import { Dicer } from '@fastify/busboy';

/**
 * The parts of a `multipart/form-data` body, split by @fastify/busboy's multipart parser (Dicer)
 * with busboy's limits: parts, fields, field size, file size. The body has already been read
 * whole, within the body limit, by the pipeline; it is fed to the parser in one write, which
 * parses synchronously, so the request path stays synchronous (Busboy's own field and file events
 * come a tick later, as streams do, and would need the pipeline to wait for them).
 */

export interface MultipartPart {
  name: string;
  /** Present when the part is a file upload (`filename="a.png"`), even when empty. */
  filename?: string;
  /** The part's Content-Type essence, lower-case; undefined when the part has none. */
  contentType?: string;
  charset?: string;
  data: Buffer;
}

/** Busboy's limits, with standin's defaults (see DEFAULT_MULTIPART_LIMITS). */
export interface MultipartLimits {
  /** Parts of any kind. */
  parts: number;
  /** Parts that are not files. */
  fields: number;
  /** Bytes of one field (a part that is not a file). */
  fieldSize: number;
  /** Bytes of one file; the body limit bounds it anyway. */
  fileSize: number;
  /** Header lines of one part. */
  headerPairs: number;
}

export const DEFAULT_MULTIPART_LIMITS: Readonly<MultipartLimits> = {
  parts: 100,
  fields: 100,
  fieldSize: 1024 * 1024,
  fileSize: Number.POSITIVE_INFINITY,
  headerPairs: 2000,
};

export type MultipartSplit =
  { ok: true; parts: MultipartPart[] } | { ok: false; status: 400 | 413; message: string };

type ParsedParams = Array<string | [string, string]>;

// busboy's own parser of header parameters (RFC 2231/5987 `filename*=` included); the package
// exports it only internally, hence the require of its file.
const parseParams = createRequire(import.meta.url)('@fastify/busboy/lib/utils/parseParams.js') as (
  value: string,
) => ParsedParams;

/**
 * Is a part a file? busboy's rule, widened as OpenAPI's `format: binary` implies: one with a
 * filename, or one whose content is not text.
 */
export function isFilePart(part: Pick<MultipartPart, 'filename' | 'contentType'>): boolean {
  if (part.filename !== undefined) return true;
  const type = part.contentType;
  return (
    type !== undefined &&
    !type.startsWith('text/') &&
    type !== 'application/json' &&
    !type.endsWith('+json')
  );
}

export function splitMultipart(
  raw: Buffer,
  contentType: string,
  limits: Readonly<MultipartLimits> = DEFAULT_MULTIPART_LIMITS,
): MultipartSplit {
  const boundary = boundaryOf(contentType);
  if (boundary === undefined)
    return { ok: false, status: 400, message: 'has no boundary in its Content-Type' };
  // The closing delimiter must be there: a body cut short is refused, never waited on.
  if (raw.lastIndexOf(`--${boundary}--`) === -1)
    return { ok: false, status: 400, message: `ends before its closing boundary --${boundary}--` };

  const collected: Array<{ stream: NodeJS.ReadableStream; headers?: Record<string, string[]> }> =
    [];
  const errors: string[] = [];
  let tooMany = false;
  const config: ConstructorParameters<typeof Dicer>[0] & {
    partHwm: number;
    maxHeaderSize: number;
  } = {
    boundary,
    maxHeaderPairs: limits.headerPairs,
    maxHeaderSize: 80 * 1024,
    // The whole body is pushed at once; no backpressure to wait for.
    partHwm: raw.length + 1,
  };
  const dicer = new Dicer(config);
  dicer.on('error', (error: Error) => errors.push(error.message));
  dicer.on('part', (stream) => {
    if (collected.length >= limits.parts) {
      tooMany = true;
      stream.resume();
      return;
    }
    const entry: (typeof collected)[number] = { stream };
    collected.push(entry);
    stream.on('error', (error: Error) => errors.push(error.message));
    stream.on('header', (headers: Record<string, string[]>) => {
      entry.headers = headers;
    });
  });
  try {
    dicer.write(raw);
  } catch (error) {
    return {
      ok: false,
      status: 400,
      message: `is not valid multipart: ${(error as Error).message}`,
    };
  }
  if (tooMany)
    return {
      ok: false,
      status: 413,
      message: `has more than ${limits.parts} parts (limit: parts)`,
    };
  if (errors.length > 0)
    return { ok: false, status: 400, message: `is not valid multipart: ${errors[0] ?? ''}` };

  const parts: MultipartPart[] = [];
  let fields = 0;
  for (const { stream, headers } of collected) {
    if (headers === undefined)
      return { ok: false, status: 400, message: 'has a part whose headers never end' };
    const part = partOf(headers, readAll(stream));
    if (typeof part === 'string') return { ok: false, status: 400, message: part };
    if (isFilePart(part)) {
      if (part.data.length > limits.fileSize)
        return {
          ok: false,
          status: 413,
          message: `has a file part "${part.name}" larger than ${limits.fileSize} bytes (limit: fileSize)`,
        };
    } else {
      fields += 1;
      if (fields > limits.fields)
        return {
          ok: false,
          status: 413,
          message: `has more than ${limits.fields} fields (limit: fields)`,
        };
      if (part.data.length > limits.fieldSize)
        return {
          ok: false,
          status: 413,
          message: `has a field "${part.name}" larger than ${limits.fieldSize} bytes (limit: fieldSize)`,
        };
    }
    parts.push(part);
  }
  return { ok: true, parts };
}

function boundaryOf(contentType: string): string | undefined {
  for (const param of parseParams(contentType)) {
    if (Array.isArray(param) && param[0].toLowerCase() === 'boundary' && param[1] !== '')
      return param[1];
  }
  return undefined;
}

/** Everything the parser pushed into a part's stream, read synchronously. */
function readAll(stream: NodeJS.ReadableStream): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = stream.read(); chunk !== null; chunk = stream.read()) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

/** A part from its headers, or why it is not a form field. */
function partOf(headers: Record<string, string[]>, data: Buffer): MultipartPart | string {
  const disposition = headers['content-disposition']?.[0];
  if (disposition === undefined) return 'has a part without Content-Disposition';
  const params = parseParams(disposition);
  if (typeof params[0] !== 'string' || params[0].toLowerCase() !== 'form-data')
    return 'has a part whose Content-Disposition is not form-data';
  let name: string | undefined;
  let filename: string | undefined;
  for (const param of params) {
    if (!Array.isArray(param)) continue;
    const key = param[0].toLowerCase();
    if (key === 'name') name = param[1];
    else if (key === 'filename') filename = param[1];
  }
  if (name === undefined) return 'has a part without a name';
  const part: MultipartPart = { name, data };
  if (filename !== undefined) part.filename = filename;
  const type = headers['content-type']?.[0];
  if (type !== undefined) {
    const typeParams = parseParams(type);
    const essence = typeof typeParams[0] === 'string' ? typeParams[0].toLowerCase() : undefined;
    if (essence) part.contentType = essence;
    for (const param of typeParams) {
      if (Array.isArray(param) && param[0].toLowerCase() === 'charset')
        part.charset = param[1].toLowerCase();
    }
  }
  return part;
}
