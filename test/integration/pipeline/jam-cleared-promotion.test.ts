import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceState, DeviceStatus } from '../../../shared/contract/index';
import type { Station } from '../../../electron/station';
import { makeTestStation } from '../../helpers/station';
import { sqliteStore } from '../../helpers/queue-harness';

/**
 * Capture jobs waiting out a backoff run at once when the operator clears a jam, and only
 * then: a scanner reports its status about once a second, and each of those reports must not
 * cut every retrying capture job's backoff short.
 */
describe('promoting retrying capture jobs when a jam is cleared', () => {
  let station: Station;
  let dispose: () => Promise<void>;

  beforeEach(async () => {
    // No workers and no scanners: the test alone says what each device reports.
    ({ station, dispose } = await makeTestStation());
  });
  afterEach(async () => dispose());

  const status = (name: string, state: DeviceState): DeviceStatus => ({
    name,
    host: '127.0.0.1',
    port: 9,
    profile: { dpi: 300, mode: 'gray', bitDepth: 8 },
    simulated: true,
    state,
    adf: state === 'JAMMED' ? 'JAM' : 'LOADED',
    buffered: 0,
    flush: 'idle',
    job: null,
    page: null,
    pagesPerMinute: 0,
    breaker: 'closed',
    lastFault: null,
    identity: null,
    lastError: null,
    alert: null,
  });
  /** Reports the states, then lets the promotion they trigger (the queue is async) settle. */
  const report = async (name: string, ...states: DeviceState[]) => {
    states.forEach((state) => station.events.emit('device.status', status(name, state)));
    await new Promise((resolve) => setImmediate(resolve));
  };

  /** A capture job on the device's queue, waiting out a long backoff after a failed attempt. */
  const retryingCaptureJob = (device: string) => {
    const now = station.clock.now();
    const queue = `device:${device}`;
    const { job } = sqliteStore(station).insert(
      { queue, type: 'batch.capture', payload: { batchId: 'B', device }, maxAttempts: 5, availableAt: now },
      now,
    );
    const leased = sqliteStore(station).lease(queue, 'w', now, 60_000)!;
    const error = { cls: 'transient', message: 'ECONNRESET', stack: null };
    sqliteStore(station).fail(job.id, leased.leaseToken!, now, error, now + 3_600_000);
    return job.id;
  };
  const stateOf = (id: string) => sqliteStore(station).get(id)!.state;

  it('leaves the backoff alone on the status reports of a scanner that was never jammed', async () => {
    const id = retryingCaptureJob('scan-a');
    await report('scan-a', 'READY', 'IDLE', 'READY', 'CAPTURING', 'READY');
    expect(stateOf(id)).toBe('retrying');
  });

  it('promotes them once, on the way out of JAMMED, and not on the reports that follow', async () => {
    const first = retryingCaptureJob('scan-a');
    const other = retryingCaptureJob('scan-b');
    await report('scan-a', 'READY', 'JAMMED', 'JAMMED');
    expect(stateOf(first)).toBe('retrying');
    await report('scan-a', 'READY');
    expect(stateOf(first)).toBe('waiting');
    expect(stateOf(other)).toBe('retrying');

    sqliteStore(station).remove(first); // so that the next job leased on the queue is the new one
    const second = retryingCaptureJob('scan-a');
    await report('scan-a', 'READY', 'IDLE', 'READY');
    expect(stateOf(second)).toBe('retrying');
  });

  it('counts a jam cleared while the scanner was offline', async () => {
    const id = retryingCaptureJob('scan-a');
    await report('scan-a', 'JAMMED', 'OFFLINE', 'CONNECTING');
    expect(stateOf(id)).toBe('retrying');
    await report('scan-a', 'READY');
    expect(stateOf(id)).toBe('waiting');
  });
});
