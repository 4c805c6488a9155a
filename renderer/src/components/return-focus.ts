import { useEffect, useState } from 'react';

/**
 * For a dialog, drawer or viewer: when it closes, focus goes back to whatever opened it. The
 * opener is read during the first render, before an `autoFocus` inside moves focus, so a
 * keyboard user carries on where they were.
 */
export function useReturnFocus(): void {
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  useEffect(
    () => () => {
      if (opener?.isConnected) opener.focus();
    },
    [opener],
  );
}
