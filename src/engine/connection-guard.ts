import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Connection fairness: `--max-connections` bounds the sockets standin holds, but a full table must
 * not lock everyone else out. node:http's own `server.maxConnections` refuses every newcomer while
 * the table is full, even when the sockets holding it do nothing: one client that opened more idle
 * sockets than the limit kept every other client out until the headers timeout reaped them.
 *
 * So a newcomer that finds the table full takes the slot of the socket idle the longest (one that
 * has not sent a complete request yet, or a keep-alive socket between requests), and is refused
 * only when every socket has a request in flight: a request is never cut to make room. Closing an
 * idle keep-alive socket is what HTTP allows a server at any time (clients reconnect, as they do
 * after the keep-alive timeout); one that has not finished its request yet loses nothing it could
 * not resend.
 *
 * Why no cap per client address as well: on loopback every client has the same address, so it
 * cannot tell clients apart there; and elsewhere one address is often every client at once (the
 * nginx of deploy/, a CI runner's container bridge, a corporate NAT), so a cap per address would
 * throttle exactly the legitimate traffic it means to protect. Idle sockets are the cheap way to
 * hold slots, and they are taken back whoever holds them; holding a slot with a request in flight
 * costs the client a request, and is bounded by the request timeout.
 */

/** What to do with a new connection. */
export type Admission<Connection> =
  | {
      admitted: true;
      /** The idle connection to close to make room, when the table was full. */
      evict?: Connection;
    }
  | { admitted: false };

/**
 * The bookkeeping alone, free of sockets so that its choices can be tested: which connections are
 * idle (in the order they became idle), how many requests each busy one has in flight, and which
 * one a newcomer displaces. Every operation is O(1): a Set iterates in insertion order, so its
 * first entry is the connection idle the longest, and no operation scans the table.
 */
export class ConnectionSlots<Connection> {
  /** Connections with no request in flight, the one idle the longest first. */
  private readonly idle = new Set<Connection>();
  /** Connections with requests in flight, and how many (pipelined requests can overlap). */
  private readonly busy = new Map<Connection, number>();

  constructor(private readonly limit: number) {}

  /** How many connections hold a slot. */
  get size(): number {
    return this.idle.size + this.busy.size;
  }

  /**
   * A new connection: admitted, displacing the connection idle the longest when the table is full
   * (it no longer holds a slot: the caller closes it), or refused when every slot is busy.
   */
  admit(connection: Connection): Admission<Connection> {
    if (this.size < this.limit) {
      this.idle.add(connection);
      return { admitted: true };
    }
    const evict = this.longestIdle();
    if (evict === undefined) return { admitted: false };
    this.idle.delete(evict);
    this.idle.add(connection);
    return { admitted: true, evict };
  }

  /** A complete request arrived on the connection: it is busy until its answer is done. */
  requestStarted(connection: Connection): void {
    const inFlight = this.busy.get(connection);
    if (inFlight !== undefined) {
      this.busy.set(connection, inFlight + 1);
      return;
    }
    // Not tracked any more (closed, or displaced while its request was arriving): nothing to hold.
    if (!this.idle.delete(connection)) return;
    this.busy.set(connection, 1);
  }

  /** A request's answer is done (sent, or abandoned): with none left, the connection is idle, newest last. */
  requestEnded(connection: Connection): void {
    const inFlight = this.busy.get(connection);
    if (inFlight === undefined) return;
    if (inFlight > 1) {
      this.busy.set(connection, inFlight - 1);
      return;
    }
    this.busy.delete(connection);
    this.idle.add(connection);
  }

  /** The connection is gone: its slot is free. */
  closed(connection: Connection): void {
    this.idle.delete(connection);
    this.busy.delete(connection);
  }

  private longestIdle(): Connection | undefined {
    for (const connection of this.idle) return connection;
    return undefined;
  }
}

/**
 * Holds `server` to `maxConnections` sockets, fairly (see above). Takes the place of
 * `server.maxConnections`, which must stay unset: node:net would refuse newcomers before this
 * guard could make room for them.
 */
export function guardConnections(server: Server, maxConnections: number): void {
  const slots = new ConnectionSlots<Socket>(maxConnections);
  server.on('connection', (socket: Socket) => {
    const admission = slots.admit(socket);
    if (!admission.admitted) {
      // As node:http's own limit did: closed at once, unanswered.
      socket.destroy();
      return;
    }
    admission.evict?.destroy();
    socket.once('close', () => slots.closed(socket));
  });
  server.on('request', (request, response) => {
    const { socket } = request;
    slots.requestStarted(socket);
    // 'close' comes once per answer, whether it was sent in full or its connection broke first.
    response.once('close', () => slots.requestEnded(socket));
  });
}
