import type { FileProgress, UploadedPart } from './progress-store';

/** A file of the package being sent: its path in the package (`data/masters/…`) and on disk. */
export interface SourceFile {
  rel: string;
  path: string;
  size: number;
}

/** What a destination needs from the engine while it uploads one file. */
export interface UploadIo {
  /** Waits for the destination's rate limit to allow this many bytes. */
  throttle(bytes: number): Promise<void>;
  /** Bytes that went over the wire (counted once, as they are acknowledged). */
  sent(bytes: number): void;
  /** Bytes that were already at the destination, intact, and were not sent again. */
  skipped(bytes: number): void;
  /** Persists byte progress (folders, SFTP). */
  saveBytes(bytesDone: number): void;
  /** Persists a multipart upload's id and the parts stored so far (S3). */
  saveUpload(uploadId: string | null, parts: UploadedPart[]): void;
  /**
   * Every byte of the file was acknowledged; what is left is flushing it to stable storage and
   * renaming it into place. The engine then starts sending the next file alongside.
   */
  sentAll?(): void;
}

/**
 * One package's place at a destination. Files are uploaded under names that are never the final
 * one until they are complete; `publish` then makes the whole package appear at once where the
 * destination allows it (a folder rename), after verification.
 */
export interface PackageTarget {
  /** Sends one file, resuming from `progress` after checking what is already there. */
  put(file: SourceFile, progress: FileProgress, io: UploadIo): Promise<void>;
  /** Size of a completed file at the destination, or null when there is none. */
  size(rel: string): Promise<number | null>;
  /** Reads a completed file back (folders, SFTP); null when the destination cannot be read back. */
  read(rel: string): AsyncIterable<Buffer> | null;
  /**
   * Compares what the destination stored for a file (S3 checksums, ETags) with the local file,
   * and the local file with the digests the package's manifests give for it (algorithm →
   * digest), so that a file changed on the station's disk since packaging is not taken as
   * verified: null when all match, else why not. Destinations that are read back need not
   * implement it.
   */
  checkStored(file: SourceFile, manifestDigests: ReadonlyMap<string, string>): Promise<string | null>;
  /** True when the package already sits under its final name (a completed earlier transfer). */
  published(): Promise<boolean>;
  /** Moves the verified package under its final name. */
  publish(): Promise<void>;
  /** Ends this connection (a dropped one is reopened with Destination.open). */
  close(): Promise<void>;
}

/** An ingest share, SFTP drop or bucket. Nothing above this interface names which one. */
export interface Destination {
  /** The destination as recorded in PREMIS and shown to people: no secrets. */
  readonly label: string;
  /** Whether verification reads files back (folders, SFTP) or compares stored checksums (S3). */
  readonly verifiesBy: 'reading' | 'checksums';
  /** Opens a connection for one package (its folder name at the destination). */
  open(packageName: string): Promise<PackageTarget>;
  close(): Promise<void>;
}

/** A destination refused or failed in a way retrying cannot fix (a wrong host key, a full disk). */
export class TransferError extends Error {
  constructor(
    readonly code:
      | 'HOST_KEY_MISMATCH'
      | 'DESTINATION_FULL'
      | 'ALREADY_EXISTS'
      | 'BAD_DESTINATION'
      | 'AUTH_FAILED'
      | 'PACKAGE_INCOMPLETE',
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}
