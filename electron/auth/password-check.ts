import { StationError } from '../core/station-error';
import type { Logger } from '../core/logger';
import type { AccountStore, StoredAccount } from '../records/account-store';
import {
  hashPassword,
  needsRehash,
  unmatchableHash,
  verifyPassword,
  type ScryptParams,
} from './password-hash';
import { ACCOUNT_POLICY, SignInThrottle } from './sign-in-throttle';

/**
 * Store failures (the lab database away) reach the console as UNAVAILABLE with the cause,
 * never as an internal error: the person can try again when it is back.
 */
export async function answered<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof StationError) throw error;
    throw new StationError(
      'UNAVAILABLE',
      `the accounts database did not answer (${(error as Error).message}); try again when it is back`,
    );
  }
}

/**
 * Checks a password under the throttle: the attempt is reserved before the hash is awaited,
 * so concurrent guesses cannot all get through. This station's throttle (per account and per
 * connection) answers first; the store's failure record then counts failures wherever they
 * were tried (in a lab: at every station). A weaker stored hash is replaced on success.
 */
export function passwordCheck(deps: {
  store: AccountStore;
  hashParams: ScryptParams;
  now: () => number;
  logger: Logger;
}) {
  const { store, hashParams, now, logger } = deps;
  const throttle = new SignInThrottle(now);
  const dummyHash = unmatchableHash(hashParams);
  const keep = (error: Error) => logger.warn({ err: error.message }, 'could not record a sign-in attempt');

  return async (connection: object, username: string, password: string): Promise<StoredAccount | null> => {
    const attempt = throttle.reserve(username, connection);
    try {
      const blockedUntil = await answered(store.signInBlockedUntil(username));
      if (blockedUntil > now())
        throw new StationError(
          'UNAUTHENTICATED',
          `too many failed sign-in attempts for this account; wait ${Math.ceil((blockedUntil - now()) / 1000)} s and try again`,
        );
      const account = await answered(store.byUsername(username));
      // Hash even for unknown names, so response time does not reveal which usernames exist.
      const ok = await verifyPassword(password, account?.passwordHash ?? dummyHash);
      // Recorded in the store before the attempt is released here, so the next one sees it.
      if (!account || !ok) {
        await store.recordSignInFailure(username, now(), ACCOUNT_POLICY).catch(keep);
        attempt.failed();
        return null;
      }
      await store.clearSignInFailures(username).catch(keep);
      attempt.succeeded();
      if (needsRehash(account.passwordHash, hashParams)) {
        await store
          .setPasswordHash(account.id, await hashPassword(password, hashParams))
          .then(() => logger.info({ username }, 'password hash upgraded to the current parameters'))
          .catch((error: Error) => logger.warn({ err: error.message }, 'could not upgrade a password hash'));
      }
      return account;
    } catch (error) {
      attempt.abandon();
      throw error;
    }
  };
}
