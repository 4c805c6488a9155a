/**
 * A structurally whole TIFF of exactly `length` bytes (at least 38): one strip that fills the
 * rest with `fill`. Scripted peers send these as pages: every page must be a whole image to
 * take a final name, and the protocol tests only need pages that differ and are of known size.
 */
export function tinyTiff(length: number, fill: number): Buffer {
  const HEADER = 8 + 2 + 2 * 12 + 4;
  if (length < HEADER) throw new Error(`a tiny TIFF needs at least ${HEADER} bytes`);
  const bytes = Buffer.alloc(length, fill);
  bytes.write('II*\0', 0, 'latin1');
  bytes.writeUInt32LE(8, 4);
  bytes.writeUInt16LE(2, 8);
  [
    [273, HEADER],
    [279, length - HEADER],
  ].forEach(([tag, value], i) => {
    const at = 10 + i * 12;
    bytes.writeUInt16LE(tag!, at);
    bytes.writeUInt16LE(4, at + 2);
    bytes.writeUInt32LE(1, at + 4);
    bytes.writeUInt32LE(value!, at + 8);
  });
  bytes.writeUInt32LE(0, HEADER - 4);
  return bytes;
}
