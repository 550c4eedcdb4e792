// Where a webhook may be sent: an https URL outside loopback and the private, link-local and
// reserved ranges, so that registering an endpoint cannot make the server call into the company's
// own network (server-side request forgery), unless WEBHOOK_ALLOW_PRIVATE says the receivers are
// inside it. The API checks a URL when it is registered; the delivery checks every address a name
// resolves to when it connects, since a public name may point inside. Pure code, no I/O.

export const WEBHOOK_URL_MAX_LENGTH = 2000;

/** IPv4 ranges no webhook goes to: this network, private, shared (CGNAT), loopback, link-local (cloud metadata), IETF, test nets, benchmarking, multicast, reserved. */
const IPV4_BLOCKED: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function ipv4Number(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function inIpv4Range(value: number, [base, bits]: [string, number]): boolean {
  const size = 2 ** (32 - bits);
  const start = ipv4Number(base)!;
  return value >= start && value < start + size;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 included), or undefined. */
function ipv6Groups(text: string): number[] | undefined {
  let address = text.toLowerCase();
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  const lastColon = address.lastIndexOf(':');
  if (lastColon < 0) return undefined;
  let v4Tail: number[] = [];
  const last = address.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = ipv4Number(last);
    if (v4 === undefined) return undefined;
    v4Tail = [Math.floor(v4 / 65536), v4 % 65536];
    address = address.slice(0, lastColon + 1);
    if (!address.endsWith('::')) address = address.slice(0, -1);
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => /^[0-9a-f]{1,4}$/.test(g)) ? groups.map((g) => parseInt(g, 16)) : undefined;
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const written = head.length + rest.length + v4Tail.length;
  if (halves.length === 1) return written === 8 ? [...head, ...v4Tail] : undefined;
  if (written > 7) return undefined;
  return [...head, ...new Array<number>(8 - written).fill(0), ...rest, ...v4Tail];
}

function isBlockedIpv6(groups: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const firstFive = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  const embeddedV4 = g6 * 65536 + g7;
  if (firstFive && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  if (firstFive && (g5 === 0xffff || g5 === 0)) return isBlockedIpv4Number(embeddedV4); // ::ffff:a.b.c.d, ::a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isBlockedIpv4Number(embeddedV4); // NAT64
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // site-local, deprecated
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only
  return false;
}

const isBlockedIpv4Number = (value: number): boolean => IPV4_BLOCKED.some((range) => inIpv4Range(value, range));

/** Whether an IP address (v4 or v6, as text) is loopback, private, link-local or otherwise not the public internet. */
export function isPrivateAddress(address: string): boolean {
  const v4 = ipv4Number(address);
  if (v4 !== undefined) return isBlockedIpv4Number(v4);
  const v6 = ipv6Groups(address.replace(/^\[|\]$/g, ''));
  // Text that is no address at all is no place to connect to either.
  return v6 === undefined ? true : isBlockedIpv6(v6);
}

/** A host written as an IP address (v6 in brackets, as URLs have it), or undefined for a name. */
export function literalAddress(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return ipv4Number(hostname) !== undefined ? hostname : undefined;
}

/** Names that mean this machine or its local network whatever DNS says. */
const isLocalName = (hostname: string): boolean =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || hostname.endsWith('.local') || hostname.endsWith('.internal');

/**
 * Why `text` is no URL a webhook may be sent to, or undefined when it may be. Without
 * `allowPrivate`: https only, no loopback, private or link-local address, no local names. Never:
 * user names or passwords in the URL (they would sit in logs), other schemes, over-long URLs.
 */
export function webhookUrlProblem(text: string, allowPrivate: boolean): string | undefined {
  if (text.length > WEBHOOK_URL_MAX_LENGTH) return `is longer than ${WEBHOOK_URL_MAX_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    return allowPrivate ? 'must be an http or https URL' : 'must be an https URL (WEBHOOK_ALLOW_PRIVATE=true allows http)';
  }
  if (url.username || url.password) return 'must not carry a user name or password; the secret signs every delivery';
  if (!url.hostname) return 'has no host';
  if (allowPrivate) return undefined;
  const hostname = url.hostname.toLowerCase();
  const literal = literalAddress(hostname);
  if (literal !== undefined ? isPrivateAddress(literal) : isLocalName(hostname)) {
    return 'points at a loopback, private or link-local address (WEBHOOK_ALLOW_PRIVATE=true allows it)';
  }
  return undefined;
}
