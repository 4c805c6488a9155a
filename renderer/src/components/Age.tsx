import { useEffect } from 'react';
import { create } from 'zustand';
import { age } from './age';

/** One clock for every age on screen: a single timer, and only the age cells re-render on its tick. */
const useTick = create<{ now: number }>(() => ({ now: Date.now() }));
let timer: ReturnType<typeof setInterval> | null = null;
let watchers = 0;

function watch(): () => void {
  watchers += 1;
  timer ??= setInterval(() => useTick.setState({ now: Date.now() }), 1000);
  return () => {
    watchers -= 1;
    if (watchers === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** "12 s", "3 min": how long ago, kept current while it is on screen. */
export function Age({ iso }: { iso: string }) {
  const now = useTick((s) => s.now);
  useEffect(watch, []);
  return <>{age(iso, Math.max(now, Date.now() - 1000))}</>;
}
