/** Status badges as SVG text (the shields.io look of Gatus and Uptime Kuma), pure. */

/** What a badge says about a state: "paused" for a disabled stream, never "unknown". */
export type BadgeState = "up" | "degraded" | "down" | "unknown" | "paused";

const COLORS: Record<BadgeState, string> = {
  up: "#1f7a3a",
  degraded: "#9a5b00",
  down: "#b3261e",
  unknown: "#5f6368",
  paused: "#5f6368",
};

/** The worst of several states (down → degraded → unknown → up; paused only when all are). */
export function worstState(states: readonly BadgeState[]): BadgeState {
  for (const s of ["down", "degraded", "unknown", "up"] as const) if (states.includes(s)) return s;
  return states.length ? "paused" : "unknown";
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Approximate width of `text` in 11 px Verdana (as shields.io sizes its boxes). */
function textWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += /[ilI.,:;'|!]/.test(ch) ? 3.5 : /[mwMW%]/.test(ch) ? 10 : 7;
  return Math.ceil(w);
}

/**
 * A two-part badge: `label` on grey, `value` on `color`. Both texts are escaped and cut to 40
 * characters; `<title>` and an ARIA label carry the same words for screen readers.
 */
export function badgeSvg(label: string, value: string, color: string): string {
  const l = escapeXml(label.slice(0, 40));
  const v = escapeXml(value.slice(0, 40));
  const lw = textWidth(label.slice(0, 40)) + 12;
  const vw = textWidth(value.slice(0, 40)) + 12;
  const w = lw + vw;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" ` +
    `aria-label="${l}: ${v}"><title>${l}: ${v}</title>` +
    `<rect width="${lw}" height="20" fill="#555"/>` +
    `<rect x="${lw}" width="${vw}" height="20" fill="${color}"/>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" ` +
    `font-size="11"><text x="${lw / 2}" y="14">${l}</text>` +
    `<text x="${lw + vw / 2}" y="14">${v}</text></g></svg>`;
}

/** A state badge: "<label> | down" in red, "up" in green, and so on. */
export function stateBadge(label: string, state: BadgeState): string {
  return badgeSvg(label, state, COLORS[state]);
}

/** Availability as the badge prints it: "99.95%", "100%", or "no data". */
export function uptimeText(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return "no data";
  const pct = Math.floor(Math.min(1, Math.max(0, ratio)) * 10_000) / 100; // never rounds up to 100
  return `${pct}%`;
}

/** An availability badge: "<label> 30d | 99.9%", green from 99 %, amber from 95 %, else red. */
export function uptimeBadge(label: string, ratio: number | null, days: number): string {
  const color = ratio === null
    ? COLORS.unknown
    : ratio >= 0.99
    ? COLORS.up
    : ratio >= 0.95
    ? COLORS.degraded
    : COLORS.down;
  return badgeSvg(`${label} ${days}d`, uptimeText(ratio), color);
}
