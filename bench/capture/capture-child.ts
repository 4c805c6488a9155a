// Runs in its own process so its peak RSS is the capturing process's alone.
import { ScanLinkDevice } from '../../electron/scanner/scanlink/scanlink-device';
import { reportCapture } from '../support/capture-child-report';

const [port, pages, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];
const device = new ScanLinkDevice({
  config: { name: 'bench', host: '127.0.0.1', port, profile: { dpi: 600, mode: 'color', bitDepth: 8 } },
  readyTimeoutMs: 60_000,
});
device.connect();
void reportCapture(
  () => device.capture({ jobId: 'BENCH', pages, dpi: 600, mode: 'color', bitDepth: 8, mastersDir: out }),
  () => device.disconnect(),
);
