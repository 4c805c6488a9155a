import path from 'node:path';

/**
 * The renderer's security policy as pure data and functions, so it is unit-tested without
 * Electron and shared by the Electron shell and the browser bridge.
 */

/** The app's own origin in Electron: a custom protocol mapped only to the bundled renderer. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'quire';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/**
 * No inline script, no remote origins, no eval. `connect-src` lists only what the renderer may
 * talk to: nothing in Electron (IPC needs no network), the loopback bridge in a browser.
 */
export function contentSecurityPolicy(options: { bridgeOrigin?: string } = {}): string {
  const connect = options.bridgeOrigin ? `'self' ${options.bridgeOrigin.replace(/^http/, 'ws')}` : "'self'";
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * The only URLs the app opens outside itself (in the OS browser, via shell.openExternal):
 * documentation of the standards it writes. Everything else is refused.
 */
const TRUSTED_EXTERNAL_HOSTS = new Set([
  'www.loc.gov',
  'www.dublincore.org',
  'iiif.io',
  'rightsstatements.org',
]);

export function isTrustedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    TRUSTED_EXTERNAL_HOSTS.has(url.hostname)
  );
}

/** Whether a frame URL belongs to the app itself (IPC sender check, navigation check). */
export function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Loopback hosts the bridge accepts an Origin from (only together with its own port). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]' || hostname === '::1';
}

/** Maps a request path to a file inside the renderer bundle, or null if it would escape it. */
export function resolveBundledPath(bundleRoot: string, requestPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded.replace(/^\/+/, '') || 'index.html';
  const root = path.resolve(bundleRoot);
  const full = path.resolve(root, relative);
  return full.startsWith(root + path.sep) ? full : null;
}

/** The renderer's webPreferences: every security switch set explicitly, never left to defaults. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  } as const;
}

/**
 * The one web permission the console gets: desktop notifications, so a jam is announced when
 * the window is behind another. Only from the app's own pages; everything else (camera,
 * geolocation, clipboard…) stays refused.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return permission === 'notifications' && isAppUrl(requestingUrl);
}
