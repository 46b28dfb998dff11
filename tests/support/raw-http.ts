import { connect } from 'node:net';

export interface RawAnswer {
  /** The status of the answer, or 0 when the server closed the connection without one. */
  status: number;
  text: string;
}

/**
 * Sends bytes exactly as given (a request `fetch` would refuse or normalise: a `..` in the path, a
 * NUL, an unknown method, a duplicated header) and reads the answer until the server closes the
 * connection or `timeoutMs` passes.
 */
export function rawRequest(
  port: number,
  request: string | Buffer,
  timeoutMs = 5000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer in time'));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    };
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One answer is enough: stop at the end of its body when its length is known.
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(text.slice(0, head))?.[1];
      if (head >= 0 && length !== undefined && text.length >= head + 4 + Number(length)) {
        socket.end();
      }
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(request);
  });
}

/** An HTTP/1.1 request, with `Connection: close` so the answer ends the exchange. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.concat([
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'),
    body === undefined ? Buffer.alloc(0) : Buffer.from(body),
  ]);
}
