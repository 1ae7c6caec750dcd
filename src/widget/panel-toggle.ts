/**
 * Opening and closing the bell's panel: the button toggles it; Escape (in the bell, or on the page when focus
 * fell back to it), a pointer down outside the bell and focus leaving the bell close it.
 */
import type { BellParts } from './shadow.js';

export class PanelToggle {
  private readonly onOutside = (event: Event): void => {
    if (this.open && !event.composedPath().includes(this.host)) this.hide(false);
  };
  /** Escape closes the panel even when focus fell back to the page (a removed or disabled button). */
  private readonly onDocumentKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.open) return;
    const active = document.activeElement;
    if (active === this.host || active === document.body || active === null) this.hide(true);
  };

  /** `opened` runs each time the panel opens (load the list, move focus into it). */
  constructor(
    private readonly host: HTMLElement,
    private readonly parts: BellParts,
    private readonly opened: () => void,
  ) {
    const { button, panel } = parts;
    button.addEventListener('click', () => (this.open ? this.hide(true) : this.show()));
    panel.addEventListener('keydown', (event) => this.onKey(event));
    button.addEventListener('keydown', (event) => this.onKey(event));
    host.shadowRoot?.addEventListener('focusout', (event) => {
      const next = (event as FocusEvent).relatedTarget as Node | null;
      if (this.open && next && next !== host && !host.shadowRoot?.contains(next)) this.hide(false);
    });
  }

  get open(): boolean {
    return !this.parts.panel.hidden;
  }

  /** Listen on the document (while the bell is in it). */
  attach(): void {
    document.addEventListener('pointerdown', this.onOutside, true);
    document.addEventListener('keydown', this.onDocumentKey);
  }

  detach(): void {
    document.removeEventListener('pointerdown', this.onOutside, true);
    document.removeEventListener('keydown', this.onDocumentKey);
  }

  show(): void {
    if (this.open) return;
    this.parts.panel.hidden = false;
    this.parts.button.setAttribute('aria-expanded', 'true');
    this.opened();
  }

  /** `refocus` puts focus back on the button (Escape, toggle). */
  hide(refocus: boolean): void {
    this.parts.panel.hidden = true;
    this.parts.button.setAttribute('aria-expanded', 'false');
    if (refocus) this.parts.button.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.hide(true);
    }
  }
}
