import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

export interface Column {
  key: string;
  label: string;
  width: string;
}

/**
 * A table that renders only the rows in view, so 10,000 batches scroll smoothly. Rows are given
 * by id; each row component selects its own item from the store, so one update re-renders one
 * row. Keyboard: the scroll area is focusable and each row is a button-like element.
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
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
  });
  const template = columns.map((c) => c.width).join(' ');
  return (
    <div className="vtable" role="table" aria-label={label} aria-rowcount={ids.length + 1}>
      <div className="vtable__head" role="row" style={{ gridTemplateColumns: template }}>
        {columns.map((c) => (
          <div key={c.key} role="columnheader" className="vtable__cell">
            {c.label}
          </div>
        ))}
      </div>
      <div ref={scrollRef} className="vtable__body" tabIndex={0} role="rowgroup" aria-label={`${label} rows`}>
        {ids.length === 0 ? (
          <p className="muted vtable__empty">{emptyText}</p>
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
                    gridTemplateColumns: template,
                  }}
                  aria-rowindex={item.index + 2}
                  role="row"
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
