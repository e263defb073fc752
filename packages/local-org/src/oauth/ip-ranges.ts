import { isIPv4, isIPv6 } from 'node:net';

/** A request's address in comparable form: IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as the IPv4 address. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

function v4Value(addr: string): bigint {
  return addr.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

function v6Groups(addr: string): string[] {
  const groups = (s: string) => (s ? s.split(':') : []);
  const expandV4 = (parts: string[]) => {
    const last = parts[parts.length - 1];
    if (!last || !isIPv4(last)) return parts;
    const n = v4Value(last);
    return [...parts.slice(0, -1), ((n >> 16n) & 0xffffn).toString(16), (n & 0xffffn).toString(16)];
  };
  const [head, tail] = addr.split('::');
  if (tail === undefined) return expandV4(groups(head));
  const h = groups(head);
  const t = expandV4(groups(tail));
  return [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
}

function parse(ip: string): { family: 4 | 6; value: bigint } | undefined {
  const addr = normalizeIp(ip.trim());
  if (isIPv4(addr)) return { family: 4, value: v4Value(addr) };
  if (isIPv6(addr)) return { family: 6, value: v6Groups(addr).reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
  return undefined;
}

/** Whether `ip` lies in one of the inclusive start–end ranges (same address family only). */
export function ipInRanges(ip: string, ranges: Array<{ start: string; end: string }>): boolean {
  const addr = parse(ip);
  if (!addr) return false;
  return ranges.some((range) => {
    const start = parse(range.start);
    const end = parse(range.end);
    return !!start && !!end && start.family === addr.family && end.family === addr.family && start.value <= addr.value && addr.value <= end.value;
  });
}
