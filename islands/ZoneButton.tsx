/** Offers the browser's own time zone for the settings form's time zone field. */

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";

/** Props: the id of the input or select to fill. */
export interface ZoneButtonProps {
  targetId: string;
}

/** A button "Use my browser's time zone (Europe/Berlin)". */
export function ZoneButton({ targetId }: ZoneButtonProps) {
  const zone = useSignal("");
  useEffect(() => {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  }, []);
  return (
    <button
      type="button"
      disabled={!zone.value}
      onClick={() => {
        const el = document.getElementById(targetId) as HTMLInputElement | null;
        if (el) {
          el.value = zone.value;
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }
      }}
    >
      Use my browser's time zone{zone.value ? ` (${zone.value})` : ""}
    </button>
  );
}
