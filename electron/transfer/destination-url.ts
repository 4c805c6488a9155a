import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { TransferError, type Destination } from './destination';
import { FolderDestination } from './folder-destination';
import type { HostKeyPins } from './host-keys';
import { s3OptionsFromUrl, S3Destination } from './s3-destination';
import { SftpDestination } from './sftp-destination';

/** Secrets a destination may need, fetched from a credential vault, never from its URL. */
export interface DestinationSecrets {
  /** An SSH private key (OpenSSH or PEM format). */
  privateKey?: Buffer;
  passphrase?: string;
  /** S3 access key id and secret. */
  accessKeyId?: string;
  secretAccessKey?: string;
}

export interface DestinationContext {
  pins: HostKeyPins;
  secrets: DestinationSecrets;
}

/**
 * `file:///mnt/repository/ingest`, `sftp://user@host:port/path` or
 * `s3://bucket/prefix?endpoint=…&region=…` → a destination. A password in the URL is refused:
 * secrets come from the credential vault so they never reach the database or a log line.
 */
export function destinationFromUrl(text: string, context: DestinationContext): Destination {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TransferError(
      'BAD_DESTINATION',
      `"${text}" is not a destination URL (file:///…, sftp://user@host/…, s3://bucket/…)`,
    );
  }
  if (url.password)
    throw new TransferError(
      'BAD_DESTINATION',
      'a destination URL may not carry a password; use a key or the credential store',
    );
  switch (url.protocol) {
    case 'file:':
      if (url.host && url.host !== 'localhost')
        throw new TransferError(
          'BAD_DESTINATION',
          `${text}: a file URL names a mounted folder on this station (file:///path)`,
        );
      return new FolderDestination(fileURLToPath(url));
    case 'sftp:': {
      const key = context.secrets.privateKey;
      if (!key)
        throw new TransferError('AUTH_FAILED', `${text}: SFTP needs a private key (--identity KEYFILE)`);
      return new SftpDestination({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port ? Number(url.port) : 22,
        username: decodeURIComponent(url.username) || os.userInfo().username,
        root: decodeURIComponent(url.pathname) || '/',
        privateKey: key,
        ...(context.secrets.passphrase ? { passphrase: context.secrets.passphrase } : {}),
        pins: context.pins,
      });
    }
    case 's3:':
      return new S3Destination(s3OptionsFromUrl(url, context.secrets));
    default:
      throw new TransferError(
        'BAD_DESTINATION',
        `${text}: unknown destination scheme ${url.protocol} (file, sftp or s3)`,
      );
  }
}
