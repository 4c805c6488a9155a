import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, net, protocol, safeStorage, session, shell } from 'electron';
import { createStation, REALISTIC_SIMULATOR_TIMING, type Station } from './station';
import { resolveDataRoot } from './storage/index';
import { checkNativeModules } from './storage/native-binding';
import { registerIpc } from './transport/ipc';
import { stationEndpoint } from './transport/station-endpoint';
import {
  APP_HOST,
  APP_ORIGIN,
  APP_SCHEME,
  contentSecurityPolicy,
  isAppUrl,
  isPermissionAllowed,
  isTrustedExternalUrl,
  resolveBundledPath,
  secureWebPreferences,
} from './transport/security-policy';

/**
 * Electron lifecycle only: one instance, one window, secure defaults. Everything the station
 * does lives in the plain-Node core built by createStation().
 */
const RENDERER_ROOT = path.join(__dirname, '..', 'renderer');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void start();
}

async function start(): Promise<void> {
  let station: Station | null = null;
  let mainWindow: BrowserWindow | null = null;

  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });

  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAppUrl(url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isTrustedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });

  await app.whenReady();
  if (!nativeModulesLoad()) return;
  session.defaultSession.setPermissionRequestHandler((contents, permission, callback) =>
    callback(isPermissionAllowed(permission, contents.getURL())),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, origin) =>
    isPermissionAllowed(permission, origin),
  );

  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveBundledPath(RENDERER_ROOT, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', csp);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });

  const dataDir = resolveDataRoot(process.env, app.getPath('userData'));
  const simulators = Number(process.env.QUIRE_SIMULATORS ?? 3);
  try {
    station = await createStation({
      dataDir,
      electronVersion: process.versions.electron ?? null,
      simulators,
      // One simulated eSCL scanner beside the ScanLink ones (QUIRE_ESCL_SIMULATORS=0 for none).
      esclSimulators: Number(process.env.QUIRE_ESCL_SIMULATORS ?? (simulators > 0 ? 1 : 0)),
      simulatorTiming: REALISTIC_SIMULATOR_TIMING,
      runWorkers: true,
      // Destination secrets (SSH and S3 keys) sealed by the OS keychain.
      secretEncryption: safeStorage,
    });
  } catch (error) {
    // Another station holds the data folder (its message names it), or the folder is unusable:
    // say so in a dialog rather than die without a window.
    const text = (error as Error).message;
    process.stderr.write(`${text}\n`);
    dialog.showErrorBox('Quire cannot open its data folder', text);
    app.exit(1);
    return;
  }
  const ipc = registerIpc({
    ...stationEndpoint(station),
    validateOutput: !app.isPackaged,
  });

  mainWindow = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'Quire',
    show: false,
    // The tested helper sets every option; the essential ones are written out here as well so that
    // a reader (or an Electron security scanner) sees them where the window is made.
    webPreferences: {
      ...secureWebPreferences(path.join(__dirname, 'preload.cjs')),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  ipc.attach(mainWindow.webContents);
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  await mainWindow.loadURL(`${APP_ORIGIN}/index.html`);

  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (event) => {
    if (!station) return;
    event.preventDefault();
    const closing = station;
    station = null;
    ipc.dispose();
    void closing.close().finally(() => app.quit());
  });
}

/**
 * Loads each native module in this runtime before the station opens: a build for the wrong ABI
 * (Node's, after a plain `npm install`) or a missing one gets a dialog naming the module, the
 * runtime and the fixing command, instead of a start that dies with no window.
 */
function nativeModulesLoad(): boolean {
  const failures = checkNativeModules().filter((status) => !status.ok);
  if (failures.length === 0) return true;
  const text = failures.map((failure) => failure.message).join('\n\n');
  process.stderr.write(`${text}\n`);
  dialog.showErrorBox('Quire cannot start', text);
  app.exit(1);
  return false;
}
