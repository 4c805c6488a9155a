import { z } from 'zod';
import { WireError } from './errors';

/** What every transport returns for a command: never a thrown error across the boundary. */
export const WireResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), output: z.unknown() }),
  z.object({ ok: z.literal(false), error: WireError }),
]);
export type WireResult = z.infer<typeof WireResult>;

export const WireEvent = z.object({ name: z.string(), payload: z.unknown() });
export type WireEvent = z.infer<typeof WireEvent>;

/**
 * The one object the renderer sees (window.quire in Electron, the WebSocket client in a
 * browser). Deliberately untyped per command here: the typed client in shared/client.ts sits on
 * top and validates both directions.
 */
export interface QuireApi {
  invoke(command: string, input: unknown): Promise<WireResult>;
  onEvent(listener: (event: WireEvent) => void): () => void;
}

/** WebSocket bridge frames. Client → main: */
export const BridgeRequest = z.object({
  type: z.literal('invoke'),
  id: z.number().int().nonnegative(),
  command: z.string().max(200),
  input: z.unknown(),
});
export type BridgeRequest = z.infer<typeof BridgeRequest>;

/** Main → client: a command's result, or a pushed event. */
export const BridgeMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), result: WireResult }),
  z.object({ type: z.literal('event'), event: WireEvent }),
]);
export type BridgeMessage = z.infer<typeof BridgeMessage>;

/** The token travels in this WebSocket subprotocol so it never appears in a URL or a log line. */
export const BRIDGE_PROTOCOL_PREFIX = 'quire.token.';
