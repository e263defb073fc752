/** A request's address in comparable form: IPv4-mapped IPv6 (::ffff:a.b.c.d) counts as the IPv4 address. */
export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}
