import { realpath } from 'node:fs/promises';
import type { DestinationConfig, PinnedHostKey, TransferStatus } from '../../shared/contract/transfer';
import { systemClock, type Clock } from '../core/clock';
import type { Logger } from '../core/logger';
import { forbidden, notFound } from '../core/station-error';
import type { Db } from '../storage/index';
import type { CredentialVault } from './credentials';
import { TransferError } from './destination';
import { destinationFromUrl, type DestinationSecrets } from './destination-url';
import { TransferProgressStore } from './progress-store';
import { LimiterRegistry, parseSchedule } from './rate';
import {
  createRetention,
  type DeletionRecorder,
  type LocalCopies,
  type Retention,
  type RetentionActor,
} from './retention';
import { transferPackage, type ReplicationRecorder, type TransferResult } from './transfer-engine';

export interface TransferModuleDeps {
  db: Db;
  vault: CredentialVault;
  recorder: ReplicationRecorder & DeletionRecorder;
  /** Announces progress (the console's Queue view shows it). */
  progress: (status: TransferStatus) => void;
  /** Where batches' local copies are, for retention; without it nothing is ever pruned. */
  local?: LocalCopies;
  clock?: Clock;
  logger?: Logger;
}

export interface TransferRun {
  batchId: string;
  packageDir: string;
  destination: string;
  person: string;
  signal?: AbortSignal;
}

/** Repository destinations and the transfers to them, for the pipeline's transfer stage and the console. */
export interface TransferModule {
  destinations(): DestinationConfig[];
  /** Adds or replaces a destination; a secret given is kept in the vault, never in the database. */
  saveDestination(config: DestinationConfig, secret?: SecretText): Promise<DestinationConfig[]>;
  removeDestination(name: string): Promise<DestinationConfig[]>;
  /** Destinations every newly packaged batch goes to. */
  automatic(): string[];
  /** Destinations a batch is to be sent to: its copy is kept until each holds it verified. */
  expect(batchId: string, destinations: readonly string[]): void;
  run(request: TransferRun): Promise<TransferResult>;
  status(): TransferStatus[];
  /** Host keys pinned on first connection to SFTP servers. */
  hostKeys(): PinnedHostKey[];
  /** A supervisor forgets a pin (the server was really re-keyed); refused to anyone else. */
  forgetHostKey(actor: RetentionActor, host: string): PinnedHostKey[];
  /** How long the station keeps its copy of a batch after verified transfer. */
  readonly retention: Retention;
}

/** A destination's secret as a supervisor enters it: key text, passphrase, S3 keys. */
export interface SecretText {
  privateKey?: string;
  passphrase?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

const secretName = (destination: string) => `transfer-${destination}`;

export function createTransferModule(deps: TransferModuleDeps): TransferModule {
  const store = new TransferProgressStore(deps.db);
  const limiters = new LimiterRegistry();
  const statuses = new Map<string, TransferStatus>();
  const clock = deps.clock ?? systemClock;
  const retention = createRetention({
    db: deps.db,
    clock,
    recorder: deps.recorder,
    local: deps.local ?? { stage: () => null, staging: () => '', package: () => '' },
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const read = (): DestinationConfig[] =>
    (
      deps.db.prepare('SELECT config FROM transfer_destinations ORDER BY name').all() as { config: string }[]
    ).map((r) => JSON.parse(r.config) as DestinationConfig);
  const find = (name: string): DestinationConfig => {
    const found = read().find((d) => d.name === name);
    if (!found) throw new TransferError('BAD_DESTINATION', `no destination named ${name} is configured`);
    return found;
  };
  const announce = (status: TransferStatus) => {
    statuses.set(`${status.batchId}\n${status.destination}`, status);
    deps.progress(status);
  };

  return {
    retention,
    expect(batchId, destinations) {
      for (const name of destinations) retention.store.expect(batchId, name);
    },
    destinations: read,
    hostKeys: () => store.hostKeys(),
    forgetHostKey(actor, host) {
      if (actor.role !== 'supervisor')
        throw forbidden(`only a supervisor may forget a pinned host key; ${actor.username} is an operator`);
      if (!store.forgetHostKey(host)) throw notFound(`pinned host key for ${host}`);
      deps.logger?.warn({ host, by: actor.username }, 'a pinned SFTP host key was forgotten');
      return store.hostKeys();
    },
    async saveDestination(config, secret) {
      // Both are checked before anything is stored: a rate or URL that would fail later fails now.
      parseSchedule(config.rate || 'unlimited');
      const hasSecret = secret && Object.values(secret).some((v) => v !== undefined && v !== '');
      if (hasSecret) await deps.vault.set(secretName(config.name), Buffer.from(JSON.stringify(secret)));
      const stored = {
        ...config,
        hasCredential: hasSecret || (await deps.vault.get(secretName(config.name))) !== null,
      };
      destinationFromUrl(stored.url, {
        pins: store,
        secrets: hasSecret ? decode(secret) : await secretsOf(stored.name),
      });
      deps.db
        .prepare(
          `INSERT INTO transfer_destinations (name, config, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
        )
        .run(stored.name, JSON.stringify(stored), new Date().toISOString());
      return read();
    },
    async removeDestination(name) {
      deps.db.prepare('DELETE FROM transfer_destinations WHERE name = ?').run(name);
      await deps.vault.remove(secretName(name));
      return read();
    },
    automatic: () =>
      read()
        .filter((d) => d.automatic)
        .map((d) => d.name),
    async run({ batchId, packageDir, destination: name, person, signal }) {
      const config = find(name);
      if (retention.store.prune(batchId))
        throw new TransferError(
          'BAD_DESTINATION',
          `batch ${batchId}'s local copy was pruned after verified replication; send it from a repository copy`,
        );
      const destination = destinationFromUrl(config.url, { pins: store, secrets: await secretsOf(name) });
      const before = retention.store.replicas(batchId).find((r) => r.destination === name);
      retention.store.sending(batchId, name, destination.label);
      const limiter = limiters.forDestination(config.url, parseSchedule(config.rate || 'unlimited'));
      const base: TransferStatus = {
        batchId,
        destination: name,
        state: 'sending',
        bytesTotal: 0,
        bytesSent: 0,
        bytesSkipped: 0,
        rate: 0,
        secondsLeft: null,
        error: null,
      };
      announce(base);
      let last = 0;
      try {
        const result = await transferPackage({
          packageDir: await realpath(packageDir),
          destination,
          store,
          limiter,
          verify: config.verify,
          recorder: deps.recorder,
          object: batchId,
          person,
          ...(signal ? { signal } : {}),
          onProgress: (p) => {
            const now = Date.now();
            if (now - last < 500 && p.phase === 'sending') return;
            last = now;
            const left = p.bytesTotal - p.bytesSent - p.bytesSkipped;
            announce({
              ...base,
              state: p.phase,
              bytesTotal: p.bytesTotal,
              bytesSent: p.bytesSent,
              bytesSkipped: p.bytesSkipped,
              rate: p.rate,
              secondsLeft: p.rate > 0 ? Math.max(0, left / p.rate) : null,
            });
          },
        });
        if (result.verified) {
          // A package found already verified there (nothing checked now) keeps how it was checked then.
          const mode = result.checked > 0 ? config.verify : (before?.verifyMode ?? 'sample');
          retention.store.verified(batchId, name, mode, clock.now());
        } else retention.store.failed(batchId, name);
        announce({
          ...base,
          state: result.verified ? 'complete' : 'failed',
          bytesTotal: result.bytesSent + result.bytesSkipped,
          bytesSent: result.bytesSent,
          bytesSkipped: result.bytesSkipped,
          secondsLeft: 0,
          error: result.verified ? null : result.errors.slice(0, 3).join('; '),
        });
        // The retention setting may say the local copy goes now that this destination holds it.
        if (result.verified) await retention.sweep(batchId);
        return result;
      } catch (error) {
        retention.store.failed(batchId, name);
        announce({ ...base, state: 'failed', error: (error as Error).message });
        throw error;
      } finally {
        await destination.close();
      }
    },
    status: () => [...statuses.values()],
  };

  async function secretsOf(name: string): Promise<DestinationSecrets> {
    const raw = await deps.vault.get(secretName(name));
    return raw ? decode(JSON.parse(raw.toString('utf8')) as SecretText) : {};
  }
}

function decode(secret: SecretText): DestinationSecrets {
  const out: DestinationSecrets = {};
  if (secret.privateKey) out.privateKey = Buffer.from(secret.privateKey);
  for (const key of ['passphrase', 'accessKeyId', 'secretAccessKey'] as const) {
    const value = secret[key];
    if (value) out[key] = value;
  }
  return out;
}
