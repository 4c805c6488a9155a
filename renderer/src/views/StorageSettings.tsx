import { useEffect, useState, type FormEvent } from 'react';
import type { DestinationConfig, PinnedHostKey } from '../../../shared/contract/index';
import { describeError, FormError } from '../components/FormError';
import { quire } from '../ipc/client';
import { useIsSupervisor } from '../state/session';
import { RetentionSettings } from './RetentionSettings';

const EMPTY: DestinationConfig = {
  name: '',
  url: '',
  rate: '',
  verify: 'all',
  automatic: false,
  hasCredential: false,
};

/**
 * Settings → Storage: the repository destinations packages are sent to. Supervisors add them;
 * a secret (SSH key, S3 keys) goes to the main process once and is never shown again.
 */
export function StorageSettings() {
  const supervisor = useIsSupervisor();
  const [list, setList] = useState<DestinationConfig[]>([]);
  const [draft, setDraft] = useState<DestinationConfig>(EMPTY);
  const [privateKey, setPrivateKey] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecretAccessKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [hostKeys, setHostKeys] = useState<PinnedHostKey[]>([]);

  useEffect(() => {
    quire.call('transfer.destinations', {}).then(setList, (e) => setError(describeError(e)));
    quire.call('transfer.hostKeys', {}).then(setHostKeys, (e) => setError(describeError(e)));
  }, []);

  async function forget(host: string) {
    setError(null);
    try {
      setHostKeys(await quire.call('transfer.forgetHostKey', { host }));
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(null);
    const secret = {
      ...(privateKey ? { privateKey } : {}),
      ...(privateKey && passphrase ? { passphrase } : {}),
      ...(accessKeyId ? { accessKeyId } : {}),
      ...(secretAccessKey ? { secretAccessKey } : {}),
    };
    try {
      setList(
        await quire.call('transfer.saveDestination', {
          destination: draft,
          ...(Object.keys(secret).length ? { secret } : {}),
        }),
      );
      setDraft(EMPTY);
      setPrivateKey('');
      setPassphrase('');
      setAccessKeyId('');
      setSecretAccessKey('');
    } catch (e) {
      setError(describeError(e));
    }
  }

  async function remove(name: string) {
    setError(null);
    try {
      setList(await quire.call('transfer.removeDestination', { name }));
    } catch (e) {
      setError(describeError(e));
    }
  }

  const set = (patch: Partial<DestinationConfig>) => setDraft((d) => ({ ...d, ...patch }));
  const scheme = draft.url.split(':')[0];

  return (
    <section aria-labelledby="storage-title" className="stack">
      <h2 id="storage-title">Storage</h2>
      <p className="muted">
        Repository destinations: packages are sent, resumed after interruptions, and verified there before
        they count as preserved.
      </p>
      <ul className="stack plain" aria-label="Repository destinations">
        {list.map((d) => (
          <li key={d.name} className="row">
            <span>
              <strong>{d.name}</strong> — {d.url}; {d.rate ? `limit ${d.rate}` : 'no limit'}; verify{' '}
              {d.verify}
              {d.automatic ? '; every new package' : '; on demand'}
              {d.hasCredential ? '; key stored' : ''}
            </span>
            {supervisor && (
              <button
                type="button"
                className="button button--small"
                aria-label={`Remove the destination ${d.name}`}
                onClick={() => void remove(d.name)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      {hostKeys.length > 0 && (
        <ul className="stack plain" aria-label="Pinned SFTP host keys">
          {hostKeys.map((k) => (
            <li key={k.host} className="row">
              <span>
                <strong>{k.host}</strong> — {k.algorithm} <code>{k.sha256}</code>, pinned{' '}
                {new Date(k.pinnedAt).toLocaleString()}
              </span>
              {supervisor && (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={`Forget the pinned host key of ${k.host}`}
                  onClick={() => void forget(k.host)}
                >
                  Forget (server re-keyed)
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {supervisor ? (
        <form className="stack" onSubmit={save} aria-label="Add a destination">
          <label>
            Name
            <input value={draft.name} onChange={(e) => set({ name: e.target.value })} required />
          </label>
          <label>
            Address (file:///mnt/ingest, sftp://user@host:22/ingest or s3://bucket/prefix?endpoint=…)
            <input value={draft.url} onChange={(e) => set({ url: e.target.value })} required />
          </label>
          <label>
            Rate limit (50M, or 20M@08:00-18:00,unlimited; empty for none)
            <input
              value={draft.rate}
              onChange={(e) => set({ rate: e.target.value })}
              aria-describedby="rate-help"
            />
          </label>
          <p id="rate-help" className="muted">
            Bytes per second (K, M, G), shared by every transfer to this destination; a schedule lists
            rate@from-to periods in the station&apos;s local time and a rate for the rest of the day, e.g. 20M
            from 08:00 to 18:00 and unlimited at night. Masters go before derivatives.
          </p>
          <label>
            Verification
            <select
              value={draft.verify}
              onChange={(e) => set({ verify: e.target.value === 'sample' ? 'sample' : 'all' })}
            >
              <option value="all">Read back every file</option>
              <option value="sample">A sample, and every tag file</option>
            </select>
          </label>
          <label className="radio">
            <input
              type="checkbox"
              checked={draft.automatic}
              onChange={(e) => set({ automatic: e.target.checked })}
            />
            Send every newly packaged batch here
          </label>
          {scheme === 'sftp' && (
            <fieldset className="stack">
              <legend>SFTP</legend>
              <label>
                SSH private key (stored encrypted; leave empty to keep the stored one)
                <textarea rows={4} value={privateKey} onChange={(e) => setPrivateKey(e.target.value)} />
              </label>
              <label>
                Key passphrase (if the key has one)
                <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
              </label>
              <p className="muted" data-testid="host-key-pinning">
                Host key pinning: the first time the station connects, it keeps the fingerprint of the key the
                server presents (trust on first use). From then on a server presenting any other key is
                refused before the station logs in or sends anything, and the transfer waits in quarantine
                naming both fingerprints: compare them with <code>ssh-keygen -lf</code> on the server.
              </p>
            </fieldset>
          )}
          {scheme === 's3' && (
            <>
              <label>
                Access key id
                <input value={accessKeyId} onChange={(e) => setAccessKeyId(e.target.value)} />
              </label>
              <label>
                Secret access key
                <input
                  type="password"
                  value={secretAccessKey}
                  onChange={(e) => setSecretAccessKey(e.target.value)}
                />
              </label>
            </>
          )}
          <button type="submit" className="button button--primary">
            Save destination
          </button>
        </form>
      ) : (
        <p className="muted">Supervisors configure destinations.</p>
      )}
      <FormError error={error} />
      <h3>Staging copies</h3>
      <RetentionSettings />
    </section>
  );
}
