import { silentLogger } from '../../electron/core/logger';
import type { Station } from '../../electron/station';
import { dispatch, newSession, type Session } from '../../electron/transport/dispatch';
import { stationEndpoint, type StationEndpoint } from '../../electron/transport/station-endpoint';

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
