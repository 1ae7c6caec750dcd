/** DOM helpers of the widget. Text is always added as Text nodes (never parsed as HTML). */

/** An element with attributes and children; string children become Text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

const SVG = 'http://www.w3.org/2000/svg';

/** A stroked 24x24 icon from path data, hidden from assistive technology. */
export function icon(className: string, ...paths: string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  for (const [name, value] of Object.entries({ class: className, viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' })) {
    svg.setAttribute(name, value);
  }
  for (const d of paths) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Bell outline and clapper. */
export const BELL = ['M12 3.5a5.5 5.5 0 0 0-5.5 5.5v3.4c0 .6-.2 1.2-.6 1.7L4.6 16h14.8l-1.3-1.9c-.4-.5-.6-1.1-.6-1.7V9A5.5 5.5 0 0 0 12 3.5z', 'M9.8 18.5a2.3 2.3 0 0 0 4.4 0'];
/** A check mark. */
export const CHECK = ['M5 12.5l4.2 4.2L19 7'];
/** A ring (mark as unread). */
export const DOT = ['M12 7.5a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9z'];
/** An archive box. */
export const ARCHIVE = ['M3.5 5.5h17v4h-17z', 'M5 9.5v9h14v-9', 'M10 13h4'];
/** A double check mark. */
export const CHECK_ALL = ['M2.5 12.5l4.2 4.2L16 7.3', 'M12 16.2l.5.5L21.8 7.3'];

/** Applies a stylesheet to a shadow root: adopted (CSP-proof) where supported, else a <style> element. */
export function adoptStyles(root: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else root.append(h('style', {}, css));
}
