import { createHash } from 'node:crypto';
import type { AuditEvent, ChainVerification } from '../../shared/contract/index';
import { canonicalJson } from './canonical';

/** The previous hash of the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** A row's hash covers every field, its sequence number and the previous row's hash. */
export function eventHash(event: Omit<AuditEvent, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(event)).digest('hex');
}

/**
 * Walks the log in sequence order and reports the first break: a gap in the sequence (a row
 * deleted), a previous-hash that is not the hash of the row before (rows reordered or replaced),
 * or a hash that does not match the row's content (a row edited). `head` is what the log
 * recorded as its last event, so that a cut-off tail is found too.
 */
export function verifyChain(
  events: Iterable<AuditEvent>,
  head: { seq: number; hash: string } | undefined,
): ChainVerification {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const broken = (seq: number, reason: string): ChainVerification => ({
    ok: false,
    checked,
    firstBrokenSeq: seq,
    reason,
  });
  for (const event of events) {
    const { hash, ...body } = event;
    if (event.seq !== expectedSeq) return broken(expectedSeq, `event ${expectedSeq} is missing (deleted)`);
    if (event.prevHash !== prev)
      return broken(event.seq, `event ${event.seq} does not follow event ${event.seq - 1}`);
    if (eventHash(body) !== hash)
      return broken(event.seq, `event ${event.seq} was changed after it was written`);
    prev = hash;
    expectedSeq += 1;
    checked += 1;
  }
  const last = expectedSeq - 1;
  if (head && (head.seq !== last || head.hash !== prev)) {
    return head.seq > last
      ? broken(expectedSeq, `the log ends at event ${last}, but event ${head.seq} was written (truncated)`)
      : broken(head.seq, `the recorded head (event ${head.seq}) does not match the log's last event`);
  }
  if (!head && last > 0) return broken(1, 'the log has events but no recorded head');
  return { ok: true, checked, firstBrokenSeq: null, reason: null };
}
