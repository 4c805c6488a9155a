import { createHash } from 'node:crypto';
import { TransferError } from './destination';

/** Where pinned host keys are kept (the station database). */
export interface HostKeyPins {
  pinnedHostKey(host: string): { algorithm: string; sha256: string } | null;
  pinHostKey(host: string, algorithm: string, sha256: string): void;
}

/** `SHA256:…` as OpenSSH prints it (`ssh-keygen -lf`), so a supervisor can compare by eye. */
export const fingerprint = (key: Buffer): string =>
  `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

/** The algorithm named at the start of an SSH public-key blob (`ssh-ed25519`, `rsa-sha2-512`…). */
export function keyAlgorithm(key: Buffer): string {
  const length = key.length >= 4 ? key.readUInt32BE(0) : 0;
  return length > 0 && length < 64 && key.length >= 4 + length
    ? key.subarray(4, 4 + length).toString('latin1')
    : 'unknown';
}

/**
 * Trust on first use: the first key a server presents is pinned; from then on any other key is
 * refused before authentication, so a station never sends a package (or its key) to an impostor.
 * `mismatch` keeps the refusal's explanation for the connection error that follows.
 */
export function hostKeyVerifier(
  pins: HostKeyPins,
  host: string,
): { verify(key: Buffer): boolean; mismatch: TransferError | null } {
  const state = {
    mismatch: null as TransferError | null,
    verify(key: Buffer): boolean {
      const seen = fingerprint(key);
      const algorithm = keyAlgorithm(key);
      const pinned = pins.pinnedHostKey(host);
      if (!pinned) {
        pins.pinHostKey(host, algorithm, seen);
        return true;
      }
      if (pinned.sha256 === seen) return true;
      state.mismatch = new TransferError(
        'HOST_KEY_MISMATCH',
        `${host} presented host key ${algorithm} ${seen}, but ${pinned.algorithm} ${pinned.sha256} is pinned for it: ` +
          'the connection was refused. If the server was really re-keyed, a supervisor forgets the old pin in Settings → Storage.',
      );
      return false;
    },
  };
  return state;
}
