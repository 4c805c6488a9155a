import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SftpDestination } from '../../../electron/transfer/sftp-destination';
import {
  TokenBucket,
  TransferError,
  transferPackage,
  type TransferProgressStore,
} from '../../../electron/transfer/index';
import { sshdMissing, startSshd, type Sshd } from '../../helpers/sshd';
import { makeTempDir } from '../../helpers/temp-dir';
import { folderDigest, makeBag, openStore, recorder } from './fixture';

const missing = sshdMissing();
if (missing) console.warn(`skipping the SFTP transfer tests: ${missing}`);

/** A TCP relay to the server whose connections can be cut, as a network drop would. */
async function relay(port: number): Promise<{ port: number; cut(): void; close(): void }> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const cut = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.pipe(upstream).on('error', cut);
    upstream.pipe(client).on('error', cut);
    client.on('close', cut).on('error', cut);
    upstream.on('close', cut).on('error', cut);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = () => {
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: cutAll,
    close: () => {
      cutAll();
      server.close();
    },
  };
}

function packageBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(path.join(e.parentPath, e.name)).size, 0);
}

describe.skipIf(missing)('transfer over SFTP to a real sshd', () => {
  let dir: ReturnType<typeof makeTempDir>;
  let sshd: Sshd;
  let store: TransferProgressStore;
  let closeDb: () => void;

  beforeAll(async () => {
    dir = makeTempDir('quire-sftp-');
    sshd = await startSshd(path.join(dir.path, 'sshd'));
  });
  afterAll(async () => {
    await sshd?.stop();
    dir?.cleanup();
  });
  beforeEach(() => {
    const opened = openStore(path.join(dir.path, `quire-${Math.random().toString(36).slice(2)}.db`));
    store = opened.store;
    closeDb = () => opened.db.close();
  });
  afterEach(() => closeDb());

  const destination = (root: string, port = sshd.port, server = sshd) =>
    new SftpDestination({
      host: server.host,
      port,
      username: server.user,
      root,
      privateKey: server.identity,
      pins: store,
    });
  const freshRoot = (name: string) => {
    const root = path.join(sshd.root, name);
    mkdirSync(root);
    return root;
  };

  it('sends a package, verifies it by reading it back, pins the host key and records a replication', async () => {
    const bag = makeBag(dir.path, 'S1', [1_500_000, 700_000]);
    const root = freshRoot('basic');
    const audit = recorder();
    const result = await transferPackage({
      packageDir: bag,
      destination: destination(root),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
      recorder: audit,
    });
    expect(result).toMatchObject({ verified: true, bytesSkipped: 0 });
    expect(readdirSync(root)).toEqual(['S1']);
    const rels = ['data/masters/page-0001.tif', 'data/masters/page-0002.tif', 'tagmanifest-sha256.txt'];
    expect(folderDigest(path.join(root, 'S1'), rels)).toEqual(folderDigest(bag, rels));
    expect(store.pinnedHostKey(`[127.0.0.1]:${sshd.port}`)?.sha256).toBe(sshd.hostKeyFingerprint);
    expect(audit.events).toMatchObject([{ type: 'replication', outcome: 'success' }]);
    expect(audit.events[0]!.detail).toContain(`sftp://${sshd.user}@127.0.0.1:${sshd.port}`);
  });

  it('reconnects after the connection drops mid-file and does not re-send what arrived', async () => {
    const bag = makeBag(dir.path, 'S2', [4_000_000]);
    const root = freshRoot('drop');
    const proxy = await relay(sshd.port);
    try {
      let cut = false;
      const result = await transferPackage({
        packageDir: bag,
        destination: destination(root, proxy.port),
        store,
        limiter: new TokenBucket({ rate: null }),
        verify: 'all',
        backoff: () => Promise.resolve(),
        // Cut once the server has acknowledged (written) 1.5 MB of the master.
        onProgress: (p) => {
          if (!cut && p.bytesSent > 1_500_000) {
            cut = true;
            proxy.cut();
          }
        },
      });
      expect(cut).toBe(true);
      expect(result.verified).toBe(true);
      expect(result.bytesSkipped).toBeGreaterThan(1_000_000);
      // Sent from zero again, the master alone would add its first 1.5 MB twice.
      const total = packageBytes(bag);
      expect(result.bytesSent).toBeLessThan(total + 1_000_000);
      const rels = ['data/masters/page-0001.tif'];
      expect(folderDigest(path.join(root, 'S2'), rels)).toEqual(folderDigest(bag, rels));
    } finally {
      proxy.close();
    }
  });

  it('fails a package changed at the destination after upload and does not mark it complete', async () => {
    const bag = makeBag(dir.path, 'S3', [600_000]);
    const root = freshRoot('changed');
    const victim = path.join(root, 'S3.quire-incoming', 'data/masters/page-0001.tif');
    const result = await transferPackage({
      packageDir: bag,
      destination: destination(root),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'sample',
      beforeVerify: () => {
        const bytes = readFileSync(victim);
        bytes[12345] = bytes[12345]! ^ 0x80;
        writeFileSync(victim, bytes);
        return Promise.resolve();
      },
    });
    expect(result.verified).toBe(false);
    expect(result.errors.join()).toMatch(/page-0001\.tif: sha256 read back/);
    expect(existsSync(path.join(root, 'S3'))).toBe(false);
    expect(store.get(result.transferId)?.state).toBe('failed');
  });

  it('reports a full destination and leaves no partial file under its final name', async () => {
    const limited = await startSshd(path.join(dir.path, 'sshd-small'), { fileSizeLimit: 1_000_000 });
    try {
      const bag = makeBag(dir.path, 'S4', [2_500_000]);
      const root = path.join(limited.root, 'full');
      mkdirSync(root);
      const error = await transferPackage({
        packageDir: bag,
        destination: destination(root, limited.port, limited),
        store,
        limiter: new TokenBucket({ rate: null }),
        verify: 'all',
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransferError);
      expect((error as TransferError).code).toBe('DESTINATION_FULL');
      const incoming = path.join(root, 'S4.quire-incoming', 'data/masters');
      expect(existsSync(path.join(incoming, 'page-0001.tif'))).toBe(false);
      expect(statSync(path.join(incoming, 'page-0001.tif.quire-part')).size).toBeLessThanOrEqual(1_000_000);
      expect(existsSync(path.join(root, 'S4'))).toBe(false);
    } finally {
      await limited.stop();
    }
  });

  it('refuses a server whose host key differs from the pinned one, before sending anything', async () => {
    const keyDir = path.join(dir.path, 'sshd-rekeyed');
    const first = await startSshd(keyDir);
    const port = first.port;
    const bag = makeBag(dir.path, 'S5', [100_000]);
    const root = path.join(first.root, 'pinned');
    mkdirSync(root);
    const ok = await transferPackage({
      packageDir: bag,
      destination: destination(root, port, first),
      store,
      limiter: new TokenBucket({ rate: null }),
      verify: 'all',
    });
    expect(ok.verified).toBe(true);
    await first.stop();

    // The same address now answers with another host key.
    const impostor = await startSshd(keyDir, { port, newHostKey: true });
    try {
      expect(impostor.hostKeyFingerprint).not.toBe(first.hostKeyFingerprint);
      const other = makeBag(dir.path, 'S6', [100_000]);
      const error = await transferPackage({
        packageDir: other,
        destination: destination(root, port, impostor),
        store,
        limiter: new TokenBucket({ rate: null }),
        verify: 'all',
      }).catch((e: unknown) => e);
      expect((error as TransferError).code).toBe('HOST_KEY_MISMATCH');
      expect((error as Error).message).toContain(first.hostKeyFingerprint);
      expect(existsSync(path.join(root, 'S6.quire-incoming'))).toBe(false);
    } finally {
      await impostor.stop();
    }
  });

  it('holds the rate limit across two concurrent transfers to one destination', async () => {
    const rate = 2 * 1024 * 1024;
    const limiter = new TokenBucket({ rate });
    const a = makeBag(dir.path, 'R1', [1_500_000]);
    const b = makeBag(dir.path, 'R2', [1_500_000]);
    const root = freshRoot('rate');
    const started = performance.now();
    const results = await Promise.all(
      [a, b].map((bag) =>
        transferPackage({
          packageDir: bag,
          destination: destination(root),
          store,
          limiter,
          verify: 'sample',
        }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(results.every((r) => r.verified)).toBe(true);
    const sent = results.reduce((s, r) => s + r.bytesSent, 0);
    // Every byte sent (and read back) passed the one shared bucket…
    expect(limiter.granted).toBeGreaterThanOrEqual(sent);
    // …so together they cannot have beaten the rate (beyond the bucket's initial burst): a lower
    // bound only, which a slow machine cannot break.
    const burst = Math.max(rate / 4, 256 * 1024);
    expect(seconds).toBeGreaterThanOrEqual((limiter.granted - burst) / rate - 0.05);
  });
});
