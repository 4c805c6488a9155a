import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useRef, useState, type ReactNode, type RefObject } from 'react';

export interface Column {
  key: string;
  label: string;
  width: string;
}

/**
 * A table that renders only the rows in view, so 10,000 batches scroll smoothly. Rows are given
 * by id; each row component selects its own item from the store, so one update re-renders one
 * row. It is a list of buttons for assistive technology (each with a full accessible name),
 * laid out as a table; the scroll area is focusable so the keyboard can scroll it.
 */
export function VirtualTable({
  ids,
  columns,
  rowHeight = 44,
  renderRow,
  label,
  emptyText,
}: {
  ids: readonly string[];
  columns: readonly Column[];
  rowHeight?: number;
  renderRow: (id: string, index: number) => ReactNode;
  label: string;
  emptyText: string;
}) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const headRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  const template = columns.map((c) => c.width).join(' ');
  const rowTemplate = useResolvedColumns(headRef, template);
  return (
    <div className="vtable" role="region" aria-label={label}>
      {/* Column titles are visual only: every row's button carries a full accessible name. */}
      <div
        ref={headRef}
        className="vtable__head"
        aria-hidden="true"
        style={{ gridTemplateColumns: template }}
      >
        {columns.map((c) => (
          <div key={c.key} className="vtable__cell">
            {c.label}
          </div>
        ))}
      </div>
      <div
        ref={scrollRef}
        className="vtable__body"
        tabIndex={0}
        role="list"
        aria-label={`${label}, ${ids.length} rows`}
      >
        {ids.length === 0 ? (
          // A list must hold items (axe: aria-required-children): the empty text is its one item.
          <div role="listitem">
            <p className="muted vtable__empty">{emptyText}</p>
          </div>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((item) => {
              const id = ids[item.index];
              if (id === undefined) return null;
              return (
                <div
                  key={id}
                  className="vtable__row-slot"
                  style={{
                    transform: `translateY(${item.start}px)`,
                    height: rowHeight,
                    gridTemplateColumns: rowTemplate,
                  }}
                  role="listitem"
                  aria-setsize={ids.length}
                  aria-posinset={item.index + 1}
                >
                  {renderRow(id, item.index)}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

/**
 * The header's column widths in pixels, as the browser resolved its flexible template. Rows use
 * them instead of the template itself: resolving `minmax()` and `fr` tracks again for every row
 * that scrolls into view cost about a quarter of each scrolled frame (npm run bench -- ui).
 */
function useResolvedColumns(head: RefObject<HTMLDivElement | null>, template: string): string {
  const [resolved, setResolved] = useState<string | null>(null);
  useLayoutEffect(() => {
    const element = head.current;
    if (!element) return;
    // A grid container's computed grid-template-columns is its used track sizes, in pixels.
    const measure = () => setResolved(getComputedStyle(element).gridTemplateColumns);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [head, template]);
  return resolved ?? template;
}
