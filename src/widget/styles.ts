/**
 * Styles of <tidings-bell>. Every colour, radius and size is a CSS custom property with a default, so a
 * page themes the bell from outside: `tidings-bell { --tidings-accent: #0ea5e9; }`. Parts (`::part(button)`,
 * `badge`, `panel`, `item`) allow deeper changes.
 */
export const STYLES = `
:host {
  --_accent: var(--tidings-accent, #4f46e5);
  --_bg: var(--tidings-bg, #ffffff);
  --_fg: var(--tidings-fg, #111827);
  /* #4b5563 keeps AA (4.5:1) on the unread tint too, where #6b7280 fell to 4.36:1. */
  --_muted: var(--tidings-muted, #4b5563);
  --_on-accent: var(--tidings-on-accent, #ffffff);
  --_border: var(--tidings-border, #e5e7eb);
  --_hover: var(--tidings-hover-bg, rgba(127, 127, 127, 0.08));
  --_unread: var(--tidings-unread-bg, color-mix(in srgb, var(--_accent) 7%, var(--_bg)));
  --_badge-bg: var(--tidings-badge-bg, #e11d48);
  --_badge-fg: var(--tidings-badge-fg, #ffffff);
  --_radius: var(--tidings-radius, 14px);
  --_icon: var(--tidings-icon-color, currentColor);
  --_size: var(--tidings-size, 40px);
  position: relative;
  display: inline-block;
  font: var(--tidings-font, inherit);
  color: var(--_fg);
  line-height: 1.4;
}
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
.sr-only { position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
button { font: inherit; color: inherit; cursor: pointer; }
button:focus-visible, .entry:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
.bell {
  position: relative; display: grid; place-items: center; width: var(--_size); height: var(--_size);
  border: 0; border-radius: 50%; background: transparent; color: var(--_icon); transition: background .15s;
}
.bell:hover, .bell[aria-expanded="true"] { background: var(--_hover); }
.bell svg { width: var(--tidings-icon-size, 24px); height: var(--tidings-icon-size, 24px); fill: none; stroke: currentColor; stroke-width: 1.8; stroke-linecap: round; stroke-linejoin: round; }
.bell.ring svg { transform-origin: 50% 15%; animation: ring .6s ease-out; }
.badge {
  position: absolute; top: 0; right: -3px; min-width: 18px; height: 18px; padding: 0 5px; border-radius: 9px;
  background: var(--_badge-bg); color: var(--_badge-fg); font-size: 11px; font-weight: 700; line-height: 18px;
  text-align: center; box-shadow: 0 0 0 2px var(--_bg); font-variant-numeric: tabular-nums;
}
.badge[hidden] { display: none; }
.offline-dot { position: absolute; bottom: 5px; right: 5px; width: 8px; height: 8px; border-radius: 50%; background: var(--_muted); box-shadow: 0 0 0 2px var(--_bg); display: none; }
:host([state="offline"]) .offline-dot, :host([state="unauthorized"]) .offline-dot, :host([state="closed"]) .offline-dot { display: block; }
:host([state="offline"]) .badge { opacity: .6; }
.panel {
  position: absolute; z-index: var(--tidings-z-index, 1000); top: calc(100% + 8px); right: 0;
  width: var(--tidings-panel-width, 380px); max-width: calc(100vw - 16px); display: flex; flex-direction: column;
  max-height: var(--tidings-panel-height, min(520px, 75vh)); background: var(--_bg); color: var(--_fg);
  border: 1px solid var(--_border); border-radius: var(--_radius); overflow: hidden;
  box-shadow: var(--tidings-shadow, 0 18px 50px -12px rgba(15, 23, 42, .28), 0 4px 12px rgba(15, 23, 42, .08));
  animation: pop .14s ease-out;
}
.panel[hidden] { display: none; }
.head { flex: none; display: flex; align-items: center; justify-content: space-between; gap: 8px; padding: 12px 12px 10px 16px; border-bottom: 1px solid var(--_border); }
h2 { margin: 0; font-size: 15px; font-weight: 650; }
.actions { display: flex; align-items: center; gap: 4px; }
.all, .head-act { display: inline-flex; align-items: center; gap: 4px; border: 0; background: none; color: var(--_accent); font-size: 13px; font-weight: 550; padding: 6px 8px; border-radius: 8px; }
.all:hover, .head-act:hover { background: var(--_hover); }
.all:disabled, .head-act:disabled { color: var(--_muted); cursor: default; background: none; }
.acts { flex: none; display: flex; flex-direction: column; gap: 2px; margin: 8px 8px 0 0; }
.all svg, .head-act svg, .act svg { width: 16px; height: 16px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; }
.filters { flex: none; display: flex; gap: 4px; padding: 8px 12px; border-bottom: 1px solid var(--_border); }
.tab { border: 1px solid var(--_border); background: var(--_bg); border-radius: 999px; padding: 3px 12px; font-size: 13px; }
.tab[aria-pressed="true"] { background: var(--_accent); border-color: var(--_accent); color: var(--_on-accent); }
.status { flex: none; margin: 0; padding: 10px 16px; font-size: 13px; color: var(--_muted); border-bottom: 1px solid var(--_border); }
.status[hidden] { display: none; }
.status.warn { color: #92400e; background: #fffbeb; }
.body { flex: 1 1 auto; min-height: 0; display: flex; flex-direction: column; }
/* Only the list scrolls: the head (title, actions) and the status line stay in place. */
.scroller { flex: 1 1 auto; min-height: 0; overflow-y: auto; overscroll-behavior: contain; }
ul { list-style: none; margin: 0; padding: 0; }
.item { position: relative; display: flex; align-items: flex-start; border-bottom: 1px solid var(--_border); }
.item:last-child { border-bottom: 0; }
.item.unread { background: var(--_unread); }
.entry { flex: 1; min-width: 0; display: flex; gap: 12px; padding: 12px 8px 12px 16px; border: 0; background: none; text-align: left; }
.entry:hover { background: var(--_hover); }
.avatar { flex: none; width: 34px; height: 34px; border-radius: 50%; display: grid; place-items: center; font-size: 14px; font-weight: 650; color: var(--_on-accent); background: var(--_accent); text-transform: uppercase; }
.item.broadcast .avatar { background: #f59e0b; }
.text { min-width: 0; display: flex; flex-direction: column; gap: 2px; }
.line { font-size: 14px; overflow-wrap: anywhere; }
.item.unread .line { font-weight: 600; }
.detail { font-size: 13px; color: var(--_muted); overflow-wrap: anywhere; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
time { font-size: 12px; color: var(--_muted); }
.act { width: 30px; height: 30px; display: grid; place-items: center; border: 0; border-radius: 50%; background: none; color: var(--_accent); }
.act:hover { background: var(--_hover); }
.act:disabled { color: var(--_muted); cursor: default; background: none; }
.empty { padding: 36px 16px; text-align: center; color: var(--_muted); font-size: 14px; }
.empty svg { width: 36px; height: 36px; fill: none; stroke: currentColor; stroke-width: 1.5; opacity: .5; display: block; margin: 0 auto 8px; }
.more { padding: 12px; text-align: center; font-size: 13px; color: var(--_muted); }
/* Empty, the footer stays as the infinite-scroll sentinel, one pixel high. */
.more:empty { padding: 0; height: 1px; }
.retry[hidden] { display: none; }
.retry { border: 1px solid var(--_border); background: var(--_bg); border-radius: 8px; padding: 4px 10px; margin-left: 6px; }
@media (max-width: 480px) {
  .panel { position: fixed; top: var(--tidings-mobile-top, 64px); left: 8px; right: 8px; width: auto; max-width: none; max-height: calc(100vh - var(--tidings-mobile-top, 64px) - 12px); max-height: calc(100dvh - var(--tidings-mobile-top, 64px) - 12px); }
}
@media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
@keyframes pop { from { opacity: 0; transform: translateY(-4px) scale(.98); } }
@keyframes ring { 0%, 100% { transform: rotate(0); } 20% { transform: rotate(14deg); } 40% { transform: rotate(-12deg); } 60% { transform: rotate(8deg); } 80% { transform: rotate(-4deg); } }
`;
