import { isIP } from 'node:net';

/**
 * The Host header, judged before anything else runs. Against DNS rebinding (a page on
 * `rebind.attacker.example` whose name is made to resolve to 127.0.0.1 calls standin as its own
 * origin, so the browser lets it read the answers), a server on a loopback address answers only
 * to loopback names, as Vite's `server.allowedHosts` does; `--allowed-hosts` adds names.
 */
export type HostVerdict =
  { ok: true; host: string } | { ok: false; status: 400 | 403; detail: string };

export interface HostPolicy {
  /** True when the server listens on a loopback address: only loopback names are accepted. */
  loopbackOnly: boolean;
  /** Names accepted besides; `.example.test` accepts the domain and its subdomains; `all`: any. */
  allowed: readonly string[] | 'all';
}

/** `name`, `1.2.3.4` or `[v6]`, then an optional `:port`: RFC 9110 §7.2 `uri-host [ ":" port ]`. */
const HOST = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::(\d{1,5}))?$/i;

/** Parses and judges the Host header; the host it returns is safe to put in a URL or a header. */
export function checkHost(value: string | undefined, policy: HostPolicy): HostVerdict {
  // HTTP/1.0 clients may send none; nothing in a browser does, so no page can rebind without it.
  if (value === undefined) return { ok: true, host: '' };
  const match = HOST.exec(value);
  const bracketed = match?.[1];
  const name = (bracketed ?? match?.[2] ?? '').toLowerCase();
  const port = match?.[3];
  if (
    !match ||
    (bracketed !== undefined && isIP(bracketed) !== 6) ||
    (port !== undefined && Number(port) > 65535) ||
    name.startsWith('.') ||
    name.endsWith('..')
  ) {
    return { ok: false, status: 400, detail: 'the Host header is not a valid host[:port]' };
  }
  const host = value.toLowerCase();
  if (policy.allowed === 'all' || isAllowed(name, policy)) return { ok: true, host };
  return {
    ok: false,
    status: 403,
    detail: `the Host "${name}" is not allowed: standin answers only to ${policy.loopbackOnly ? 'loopback names' : 'IP addresses, loopback names'} and the names --allowed-hosts lists (a guard against DNS rebinding); to allow this one, start it with --allowed-hosts ${name}`,
  };
}

function isAllowed(name: string, policy: HostPolicy): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (policy.allowed === 'all' || isLoopbackName(bare)) return true;
  const listed = policy.allowed.some((allowed) =>
    allowed.startsWith('.')
      ? bare === allowed.slice(1) || bare.endsWith(allowed)
      : bare === allowed,
  );
  if (listed || policy.loopbackOnly) return listed;
  // On a network address: an IP literal cannot be rebound (rebinding needs a name), and names are
  // checked only once the operator lists them (a container reached by its service name works).
  return policy.allowed.length === 0 || isIP(bare) !== 0;
}

/** `localhost`, any `*.localhost` (RFC 6761 keeps them on this machine), 127.0.0.0/8 and ::1. */
export function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || name === '0:0:0:0:0:0:0:1';
}
