/** The TCP port a URL reaches (explicit, or the scheme's default): what a NetworkPolicy's egress must allow. */
export function urlPort(url: string): number {
  const parsed = new URL(url);
  if (parsed.port) return Number(parsed.port);
  return parsed.protocol === 'https:' ? 443 : 80;
}
