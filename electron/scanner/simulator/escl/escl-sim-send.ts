import type http from 'node:http';
import type { EsclFaults } from './escl-faults';

/**
 * Sends one document as the armed faults say: whole with Content-Length, chunked, slowly, cut
 * off half way (the connection dropped, with or without a Content-Length announcing more).
 * Page faults are disarmed once they fire.
 */
export async function sendDocument(
  res: http.ServerResponse,
  bytes: Buffer,
  page: number,
  format: string,
  f: EsclFaults,
): Promise<void> {
  const type = { 'content-type': format };
  if (f.dropMidPage === page || f.truncateAtPage === page) {
    const truncate = f.truncateAtPage === page;
    if (truncate) f.truncateAtPage = null;
    else f.dropMidPage = null;
    res.writeHead(200, truncate ? { ...type, 'content-length': bytes.length } : type);
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
    await new Promise((r) => setTimeout(r, 20));
    res.socket?.destroy();
    return;
  }
  if (f.slowBody) {
    const { bytesPerSecond, chunkBytes } = f.slowBody;
    res.writeHead(200, type);
    // Pauses are taken once they add up to a few ms (timers are no finer), so the rate holds.
    let owedMs = 0;
    for (let offset = 0; offset < bytes.length && !res.destroyed; offset += chunkBytes) {
      res.write(bytes.subarray(offset, offset + chunkBytes));
      owedMs += (chunkBytes / bytesPerSecond) * 1000;
      if (owedMs >= 5) {
        await new Promise((r) => setTimeout(r, owedMs));
        owedMs = 0;
      } else if (chunkBytes < 64) await new Promise((r) => setImmediate(r));
    }
    res.end();
    return;
  }
  if (f.chunked) {
    res.writeHead(200, type);
    for (let offset = 0; offset < bytes.length && !res.destroyed; offset += 65_536)
      if (!res.write(bytes.subarray(offset, offset + 65_536)))
        await new Promise<void>((resolve) => res.once('drain', resolve).once('close', resolve));
    res.end();
    return;
  }
  res.writeHead(200, { ...type, 'content-length': bytes.length }).end(bytes);
}
