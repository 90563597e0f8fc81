/** Enhances a server-rendered form: inline validation as you type and a "Test" button. */

import { useSignal } from "@preact/signals";
import { useEffect } from "preact/hooks";
import { formatLatency } from "./format.ts";

/** Props: the form's id and the endpoints to call with its fields. */
export interface FormAssistProps {
  formId: string;
  /** POSTed the form on input; answers `{fields: {field: message}, other: string[]}`. */
  validateUrl?: string;
  /** POSTed the form on click; answers `{ok, message, latencyMs?}`. */
  testUrl?: string;
  testLabel?: string;
}

/** The page's CSRF token (the layout puts it in a meta tag). */
export function csrf(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

function post(url: string, form: HTMLFormElement, signal?: AbortSignal) {
  const body = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (typeof v === "string") body.append(k, v);
  return fetch(url, { method: "POST", body, signal, headers: { "x-csrf-token": csrf() } })
    .then((r) => r.json());
}

/** Shows problems beside the fields (`[data-problem-for=field]`) and the test result. */
export function FormAssist({ formId, validateUrl, testUrl, testLabel }: FormAssistProps) {
  const other = useSignal<string[]>([]);
  const result = useSignal<{ ok: boolean; text: string } | null>(null);
  const testing = useSignal(false);
  useEffect(() => {
    const form = document.getElementById(formId) as HTMLFormElement | null;
    if (!form || !validateUrl) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ctrl: AbortController | undefined;
    const run = () => {
      ctrl?.abort();
      ctrl = new AbortController();
      post(validateUrl, form, ctrl.signal).then(
        (r: { fields: Record<string, string>; other: string[] }) => {
          for (const el of form.querySelectorAll<HTMLElement>("[data-problem-for]")) {
            const msg = r.fields[el.dataset.problemFor!] ?? "";
            el.textContent = msg;
            const input = form.elements.namedItem(el.dataset.problemFor!) as HTMLElement | null;
            input?.setAttribute("aria-invalid", msg ? "true" : "false");
          }
          other.value = r.other;
        },
      ).catch(() => {});
    };
    const onInput = () => {
      clearTimeout(timer);
      timer = setTimeout(run, 350);
    };
    form.addEventListener("input", onInput);
    return () => {
      clearTimeout(timer);
      ctrl?.abort();
      form.removeEventListener("input", onInput);
    };
  }, []);
  const test = () => {
    const form = document.getElementById(formId) as HTMLFormElement | null;
    if (!form || !testUrl) return;
    testing.value = true;
    result.value = null;
    post(testUrl, form).then((r: { ok: boolean; message: string; latencyMs?: number }) => {
      const lat = r.latencyMs === undefined ? "" : ` (${formatLatency(r.latencyMs)})`;
      result.value = { ok: r.ok, text: `${r.ok ? "OK" : "Failed"}${lat}: ${r.message}` };
    }).catch((e) => result.value = { ok: false, text: `The test could not run: ${e.message}` })
      .finally(() => testing.value = false);
  };
  return (
    <div class="assist">
      {other.value.length > 0 && (
        <ul class="problems" role="alert">{other.value.map((p) => <li key={p}>{p}</li>)}</ul>
      )}
      {testUrl && (
        <p>
          <button type="button" onClick={test} disabled={testing.value}>
            {testing.value ? "Testing…" : testLabel ?? "Test now"}
          </button>{" "}
          <output class={result.value ? (result.value.ok ? "ok" : "bad") : undefined}>
            {result.value?.text ?? ""}
          </output>
        </p>
      )}
    </div>
  );
}
