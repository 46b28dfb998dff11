// @ts-check
import { adminFetch } from './api.js';

/**
 * Reads `GET /__admin/requests/stream` with fetch and a stream reader (EventSource cannot send the
 * namespace and token headers) and hands each `request` event's entry to `onEntry`.
 * @param {(entry: any) => void} onEntry
 * @param {AbortSignal} signal
 * @returns {Promise<void>} when the server closes the stream or `signal` aborts it
 */
export async function followJournal(onEntry, signal) {
  const response = await adminFetch('/__admin/requests/stream', {
    headers: { Accept: 'text/event-stream' },
    signal,
  });
  if (!response.ok || !response.body) throw new Error(`journal stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) continue; // keep-alive comments
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (name === 'event') event = text;
        else if (name === 'data') data.push(text);
      }
      if (event === 'request' && data.length > 0) onEntry(JSON.parse(data.join('\n')));
    }
  }
}
