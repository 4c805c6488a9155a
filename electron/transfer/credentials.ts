import { promises as fs } from 'node:fs';
import path from 'node:path';
import { assertSafeId } from '../storage/index';

/**
 * Where destination secrets live (SSH keys, S3 keys), by name. The app keeps them encrypted with
 * Electron's safeStorage; the CLI in files only the station's user can read. Neither puts a
 * secret in the database in clear or in a log line.
 */
export interface CredentialVault {
  get(name: string): Promise<Buffer | null>;
  set(name: string, secret: Buffer): Promise<void>;
  remove(name: string): Promise<void>;
}

/**
 * One file per secret in an owner-only folder (0700, files 0600). A file that others can read
 * is refused rather than used, as ssh does with a private key.
 */
export class FileCredentialVault implements CredentialVault {
  constructor(private readonly dir: string) {}

  private file(name: string): string {
    return path.join(this.dir, assertSafeId(name, 'credential name'));
  }

  async get(name: string): Promise<Buffer | null> {
    const file = this.file(name);
    const stat = await fs.stat(file).catch(() => null);
    if (!stat) return null;
    if ((stat.mode & 0o077) !== 0)
      throw new Error(
        `${file} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    return fs.readFile(file);
  }

  async set(name: string, secret: Buffer): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.chmod(this.dir, 0o700);
    const file = this.file(name);
    const temp = `${file}.tmp-${process.pid}`;
    await fs.writeFile(temp, secret, { mode: 0o600, flag: 'wx' });
    await fs.rename(temp, file);
  }

  async remove(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true });
  }
}

/** What the app's encryption offers (Electron's safeStorage fits it; passed in by main.ts). */
export interface SecretEncryption {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * Secrets encrypted by the operating system's keychain (safeStorage), the ciphertext kept in a
 * vault underneath (the data folder): without the OS account's keychain the files are useless.
 */
export class EncryptedCredentialVault implements CredentialVault {
  constructor(
    private readonly encryption: SecretEncryption,
    private readonly inner: CredentialVault,
  ) {}

  async get(name: string): Promise<Buffer | null> {
    const sealed = await this.inner.get(name);
    return sealed ? Buffer.from(this.encryption.decryptString(sealed), 'base64') : null;
  }

  async set(name: string, secret: Buffer): Promise<void> {
    if (!this.encryption.isEncryptionAvailable())
      throw new Error(
        'the operating system offers no secret storage here; secrets are not stored unencrypted',
      );
    await this.inner.set(name, this.encryption.encryptString(secret.toString('base64')));
  }

  remove(name: string): Promise<void> {
    return this.inner.remove(name);
  }
}
