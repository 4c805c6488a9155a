import { afterEach, beforeEach } from 'vitest';
import { silentLogger } from '../../electron/core/logger';
import type { Station, StationOptions } from '../../electron/station';
import { dispatch, newSession, type Session } from '../../electron/transport/dispatch';
import { stationEndpoint, type StationEndpoint } from '../../electron/transport/station-endpoint';
import { makeTestStation } from './station';

/**
 * Calls a station's commands through the real dispatcher, as the given session; through
 * `endpoint` when a test shares one with a bridge.
 */
export function stationCaller(station: Station, endpoint: StationEndpoint = stationEndpoint(station)) {
  return (session: Session, command: string, input: unknown = {}) =>
    dispatch(
      endpoint.table,
      command,
      input,
      { session, transport: 'test' },
      { logger: silentLogger(), validateOutput: true, sessionGuard: endpoint.sessionGuard },
    );
}

/** Calls commands through the real dispatcher as a signed-in operator or supervisor. */
export async function contractCallers(station: Station) {
  const existing = new Set((await station.auth.listAccounts()).map((a) => a.username));
  if (!existing.has('sofia'))
    await station.auth.createAccount({
      username: 'sofia',
      displayName: 'Sofia',
      password: 'supervisor passphrase',
      role: 'supervisor',
    });
  if (!existing.has('omar'))
    await station.auth.createAccount({
      username: 'omar',
      displayName: 'Omar',
      password: 'operator passphrase',
      role: 'operator',
    });
  const supervisorSession = newSession();
  const operatorSession = newSession();
  await station.auth.signIn(supervisorSession, { username: 'sofia', password: 'supervisor passphrase' });
  await station.auth.signIn(operatorSession, { username: 'omar', password: 'operator passphrase' });
  const call = stationCaller(station);
  const caller =
    (session: Session) =>
    (command: string, input: unknown = {}) =>
      call(session, command, input);
  return { supervisor: caller(supervisorSession), operator: caller(operatorSession) };
}

export type ContractCallers = Awaited<ReturnType<typeof contractCallers>>;

/** A fresh test station (makeTestStation) with its operator's and supervisor's callers. */
export async function stationWithCallers(options: Partial<StationOptions> = {}) {
  const made = await makeTestStation(options);
  return { ...made, call: await contractCallers(made.station) };
}

/**
 * A fresh station with its callers for every test of the enclosing describe block (its own
 * beforeEach and afterEach); the tests read `station` and `call` from what it returns.
 */
export function stationWithCallersEachTest(options: Partial<StationOptions> = {}) {
  const current = {} as { station: Station; call: ContractCallers };
  let dispose = async () => {};
  beforeEach(async () => {
    const made = await stationWithCallers(options);
    Object.assign(current, { station: made.station, call: made.call });
    dispose = made.dispose;
  });
  afterEach(async () => dispose());
  return current;
}
