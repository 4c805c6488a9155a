export function PlaceholderView({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <section aria-labelledby="view-title" className="view">
      <h1 id="view-title">{title}</h1>
      {children}
    </section>
  );
}
