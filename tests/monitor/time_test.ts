import { assertEquals } from "../assert.ts";
import {
  formatInZone,
  formatInZoneMs,
  isValidTimeZone,
  parseQueryTime,
} from "../../monitor/time.ts";

Deno.test("formatInZone() writes local time with the zone's offset", () => {
  const t = Date.UTC(2025, 10, 1, 6, 30, 20, 999);
  assertEquals(formatInZone(t, "Asia/Calcutta"), "2025-11-01T12:00:20+05:30");
  assertEquals(formatInZone(t, "UTC"), "2025-11-01T06:30:20+00:00");
  assertEquals(formatInZone(t, "Asia/Kathmandu"), "2025-11-01T12:15:20+05:45");
  assertEquals(formatInZone(t, "America/St_Johns"), "2025-11-01T04:00:20-02:30");
});

Deno.test("formatInZone() follows daylight-saving transitions to the second", () => {
  // Europe/Berlin leaves summer time at 2025-10-26T01:00:00Z (03:00 CEST -> 02:00 CET).
  const change = Date.UTC(2025, 9, 26, 1, 0, 0);
  assertEquals(formatInZone(change - 1000, "Europe/Berlin"), "2025-10-26T02:59:59+02:00");
  assertEquals(formatInZone(change, "Europe/Berlin"), "2025-10-26T02:00:00+01:00");
  // America/New_York enters summer time at 2025-03-09T07:00:00Z (02:00 EST -> 03:00 EDT).
  const spring = Date.UTC(2025, 2, 9, 7, 0, 0);
  assertEquals(formatInZone(spring - 1000, "America/New_York"), "2025-03-09T01:59:59-05:00");
  assertEquals(formatInZone(spring, "America/New_York"), "2025-03-09T03:00:00-04:00");
});

Deno.test("formatInZone() agrees with Intl over a year of random instants", () => {
  const zones = ["Europe/Berlin", "Australia/Lord_Howe", "America/Santiago", "Asia/Tehran"];
  const f = (tz: string) =>
    new Intl.DateTimeFormat("sv-SE", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
  for (const tz of zones) {
    const fmt = f(tz);
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(2025, 0, 1) + Math.floor(Math.random() * 365 * 86_400_000);
      const want = fmt.format(ms).replace(" ", "T");
      assertEquals(formatInZone(ms, tz).slice(0, 19), want, `${tz} at ${ms}`);
    }
  }
});

Deno.test("isValidTimeZone() knows IANA names and aliases", () => {
  assertEquals(isValidTimeZone("Asia/Calcutta"), true);
  assertEquals(isValidTimeZone("Mars/Olympus"), false);
});

Deno.test("formatInZoneMs() writes three fraction digits and the zone's offset", () => {
  const t = Date.UTC(2026, 11, 1, 12, 5, 0, 123);
  assertEquals(formatInZoneMs(t, "Europe/Berlin"), "2026-12-01T13:05:00.123+01:00");
  assertEquals(formatInZoneMs(t - 123, "UTC"), "2026-12-01T12:05:00.000+00:00");
  assertEquals(
    formatInZoneMs(t, "Asia/Calcutta").slice(0, 19),
    formatInZone(t, "Asia/Calcutta").slice(0, 19),
  );
});

Deno.test("parseQueryTime() reads an offset whose + a query string decoded to a space", () => {
  const want = Date.UTC(2026, 11, 1, 4, 30);
  assertEquals(parseQueryTime("2026-12-01T10:00:00 05:30"), want);
  assertEquals(parseQueryTime("2026-12-01T10:00:00+05:30"), want);
  assertEquals(parseQueryTime("2026-12-01T10:00:00.250 05:30"), want + 250);
  assertEquals(parseQueryTime("2026-12-01T10:00 0530"), want);
  assertEquals(parseQueryTime("1796099400000"), 1796099400000);
  assertEquals(Number.isNaN(parseQueryTime("2026-12-01T10:00:00 soon")), true);
  assertEquals(Number.isNaN(parseQueryTime("9".repeat(30) + " ".repeat(40))), true, "too long");
});
