import type { authCommands } from '../../shared/contract/index';
import { StationError } from '../core/station-error';
import type { Station } from '../station';
import type { HandlerContext, HandlerTable } from '../transport/dispatch';

/** The dispatcher guarantees a user for operator/supervisor commands; this narrows the type. */
export function actor(context: HandlerContext) {
  if (!context.session.user) throw new StationError('UNAUTHENTICATED', 'sign in first');
  return context.session.user;
}

export function authHandlers(station: Station): Pick<HandlerTable, keyof typeof authCommands> {
  const { auth } = station;
  return {
    'auth.status': (_input, { session }) => auth.status(session),
    'auth.setup': (input, { session }) => auth.setup(session, input),
    'auth.signIn': (input, { session }) => auth.signIn(session, input),
    'auth.signOut': (_input, { session }) => auth.signOut(session),
    'auth.resume': (input, { session }) => auth.resume(session, input.token),
    'auth.lock': (_input, { session }) => auth.lock(session),
    'auth.unlock': (input, { session }) => auth.unlock(session, input.password),
    'auth.activity': () => ({ ok: true as const }),
    'auth.accounts.list': () => auth.listAccounts(),
    'auth.accounts.create': (input) => auth.createAccount(input),
    'auth.accounts.setDisabled': (input, context) =>
      auth.setDisabled(actor(context), input.username, input.disabled),
    'auth.accounts.resetPassword': (input) => auth.resetPassword(input.username, input.password),
  };
}
