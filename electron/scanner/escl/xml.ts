import { DOMParser, type Element } from '@xmldom/xmldom';

/**
 * eSCL's two XML namespaces. Devices choose their own prefixes (`scan:`, `pwg:`, none, or
 * something else entirely), so elements are always looked up by namespace URI and local name.
 */
export const NS = {
  pwg: 'http://www.pwg.org/schemas/2010/12/sm',
  scan: 'http://schemas.hp.com/imaging/escl/2011/05/03',
} as const;

/** Either namespace: devices disagree on which one some elements (MakeAndModel, Version…) live in. */
const EITHER: readonly string[] = [NS.scan, NS.pwg];

export class EsclXmlError extends Error {
  override readonly name = 'EsclXmlError';
}

/** Parses a document and checks its root element, naming what was wrong when it is not one. */
export function parseRoot(text: string, rootName: string): Element {
  const errors: string[] = [];
  let root: Element | null = null;
  try {
    root = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') errors.push(message);
      },
    }).parseFromString(text, 'text/xml').documentElement;
  } catch (error) {
    errors.push((error as Error).message);
  }
  if (errors.length > 0 || !root)
    throw new EsclXmlError(`the device sent XML that does not parse: ${errors[0] ?? 'no root element'}`);
  if (root.localName !== rootName || !EITHER.includes(root.namespaceURI ?? ''))
    throw new EsclXmlError(
      `expected ${rootName} in the eSCL namespace, got ${root.localName} in ${root.namespaceURI ?? 'no namespace'}`,
    );
  return root;
}

/** Direct children of `parent` with this local name in either eSCL namespace. */
export function children(parent: Element, name: string): Element[] {
  const out: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const el = node as Element;
    if (el.localName === name && EITHER.includes(el.namespaceURI ?? '')) out.push(el);
  }
  return out;
}

export function child(parent: Element, name: string): Element | null {
  return children(parent, name)[0] ?? null;
}

/** Follows a path of local names (first match at each step). */
export function at(parent: Element, ...path: string[]): Element | null {
  let el: Element | null = parent;
  for (const name of path) {
    if (!el) return null;
    el = child(el, name);
  }
  return el;
}

/** Every descendant with this local name in either eSCL namespace. */
export function descendants(parent: Element, name: string): Element[] {
  return EITHER.flatMap((ns) => Array.from(parent.getElementsByTagNameNS(ns, name)));
}

export function text(el: Element | null): string | null {
  const value = el?.textContent?.trim();
  return value ? value : null;
}

export function textAt(parent: Element, ...path: string[]): string | null {
  return text(at(parent, ...path));
}

export function intAt(parent: Element, ...path: string[]): number | null {
  const value = textAt(parent, ...path);
  if (value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.round(n) : null;
}
