import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { onOwnMount } from '../../../electron/pipeline/review-image';

// Another station's page files, named as that station wrote them on its own mount of the lab's
// storage root, found on this station's mount.
describe("another station's page files on this station's mount of the lab storage", () => {
  const own = '/Volumes/lab';
  const at = (...parts: string[]) => path.join(own, 'stations', 'desk-a', 'staging', 'B-1', ...parts);

  it('keeps the part below the batch folder and puts it under this mount', () => {
    expect(onOwnMount('/mnt/nas/stations/desk-a/staging/B-1/masters/0001.tif', own, 'desk-a', 'B-1')).toBe(
      at('masters', '0001.tif'),
    );
    // A Windows station's path.
    expect(
      onOwnMount('Q:\\lab\\stations\\desk-a\\staging\\B-1\\access\\0001.jpg', own, 'desk-a', 'B-1'),
    ).toBe(at('access', '0001.jpg'));
    // A mount whose own path happens to contain the same folder names.
    expect(
      onOwnMount(
        '/srv/stations/desk-a/staging/B-1/x/stations/desk-a/staging/B-1/masters/0002.tif',
        own,
        'desk-a',
        'B-1',
      ),
    ).toBe(at('masters', '0002.tif'));
  });

  it("refuses a path outside the batch's folder, or one that could step out of it", () => {
    expect(
      onOwnMount('/mnt/nas/stations/desk-b/staging/B-1/masters/0001.tif', own, 'desk-a', 'B-1'),
    ).toBeNull();
    expect(
      onOwnMount('/mnt/nas/stations/desk-a/staging/B-2/masters/0001.tif', own, 'desk-a', 'B-1'),
    ).toBeNull();
    expect(
      onOwnMount('/mnt/nas/stations/desk-a/staging/B-1/../../../../etc/passwd', own, 'desk-a', 'B-1'),
    ).toBeNull();
    expect(
      onOwnMount('/mnt/nas/stations/desk-a/staging/B-1/masters//0001.tif', own, 'desk-a', 'B-1'),
    ).toBeNull();
    expect(onOwnMount('/mnt/nas/stations/desk-a/staging/B-1/', own, 'desk-a', 'B-1')).toBeNull();
    expect(onOwnMount('/mnt/nas/stations/../staging/B-1/a.tif', own, '..', 'B-1')).toBeNull();
  });
});
