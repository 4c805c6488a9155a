import { isSafeId, SAFE_ID_PATTERN, unsafeIdReason } from '../../shared/domain/safe-id';

export { isSafeId, SAFE_ID_PATTERN, unsafeIdReason };

export function assertSafeId(id: string, what = 'id'): string {
  const reason = unsafeIdReason(id);
  if (reason) throw new Error(`invalid ${what} ${JSON.stringify(id).slice(0, 80)}: ${reason}`);
  return id;
}
