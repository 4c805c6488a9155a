import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentSecurityPolicy,
  isAppUrl,
  isPermissionAllowed,
  isTrustedExternalUrl,
  resolveBundledPath,
  secureWebPreferences,
} from '../../../electron/transport/security-policy';

describe('security policy', () => {
  it('grants the app its desktop notifications and nothing else, and nothing to other pages', () => {
    expect(isPermissionAllowed('notifications', 'app://quire/index.html')).toBe(true);
    expect(isPermissionAllowed('notifications', 'app://quire')).toBe(true);
    expect(isPermissionAllowed('notifications', 'https://example.org/')).toBe(false);
    expect(isPermissionAllowed('notifications', 'not a url')).toBe(false);
    for (const other of ['media', 'geolocation', 'clipboard-read', 'openExternal'])
      expect(isPermissionAllowed(other, 'app://quire/index.html')).toBe(false);
  });

  it('CSP allows no inline script, no eval and no remote origin', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(csp).toContain("default-src 'none'");
  });

  it('CSP in browser mode allows only the loopback bridge as a remote', () => {
    expect(contentSecurityPolicy({ bridgeOrigin: 'http://127.0.0.1:5000' })).toContain(
      "connect-src 'self' ws://127.0.0.1:5000",
    );
  });

  it('trusts only https links to the allowlisted standards sites', () => {
    expect(isTrustedExternalUrl('https://www.loc.gov/standards/mets/')).toBe(true);
    expect(isTrustedExternalUrl('http://www.loc.gov/standards/mets/')).toBe(false);
    expect(isTrustedExternalUrl('https://www.loc.gov.evil.example/')).toBe(false);
    expect(isTrustedExternalUrl('https://user:pw@www.loc.gov/')).toBe(false);
    expect(isTrustedExternalUrl('file:///etc/passwd')).toBe(false);
    expect(isTrustedExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isTrustedExternalUrl('not a url')).toBe(false);
  });

  it('recognises only the app origin as the app', () => {
    expect(isAppUrl('app://quire/index.html')).toBe(true);
    expect(isAppUrl('app://other/index.html')).toBe(false);
    expect(isAppUrl('https://quire/index.html')).toBe(false);
    expect(isAppUrl('file:///index.html')).toBe(false);
  });

  it('maps request paths inside the bundle and refuses escapes', () => {
    const root = path.resolve('/srv/bundle');
    expect(resolveBundledPath(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveBundledPath(root, '/assets/app.js')).toBe(path.join(root, 'assets/app.js'));
    expect(resolveBundledPath(root, '/../secret')).toBeNull();
    expect(resolveBundledPath(root, '/%2e%2e/secret')).toBeNull();
    expect(resolveBundledPath(root, '/a%00b')).toBeNull();
    expect(resolveBundledPath(root, '/%E0%A4%A')).toBeNull();
  });

  it('sets every renderer security switch explicitly', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});
