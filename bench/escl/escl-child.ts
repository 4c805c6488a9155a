// Runs in its own process so its peak RSS is the capturing process's alone.
import { EsclDevice } from '../../electron/scanner/escl/index';
import { reportCapture } from '../support/capture-child-report';

const [url, pages, out] = [process.argv[2]!, Number(process.argv[3]), process.argv[4]!];
const device = new EsclDevice({
  name: 'bench',
  address: url,
  profile: { dpi: 600, mode: 'color', bitDepth: 8 },
});
void reportCapture(
  () => device.capture({ jobId: 'BENCH', pages, dpi: 600, mode: 'color', bitDepth: 8, mastersDir: out }),
  () => device.close(),
);
