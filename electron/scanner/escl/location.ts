/**
 * Devices put bogus hosts (`localhost`, a stale IP, an unbracketed IPv6 literal with a zone)
 * into the Location of a new job. Only the path is trusted, resolved against the device's own
 * base URL; the origin Quire already talks to is kept.
 */
export function jobPathFromLocation(location: string, basePath: string): string {
  let rest = location.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(rest);
  if (scheme) {
    // Everything up to the first `/` after `scheme://` is the authority, however malformed.
    const afterAuthority = rest.slice(scheme[0].length);
    const slash = afterAuthority.indexOf('/');
    rest = slash === -1 ? '/' : afterAuthority.slice(slash);
  }
  rest = rest.split('#')[0]!.split('?')[0]!;
  const base = basePath.endsWith('/') ? basePath : `${basePath}/`;
  const resolved = new URL(rest, `http://device${base}`).pathname;
  return resolved.replace(/\/+$/, '') || '/';
}
