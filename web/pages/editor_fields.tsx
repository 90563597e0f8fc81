/** The stream editor's field groups beyond the basics: the write-only password, media, alerts. */

import type { ComponentChildren } from "preact";
import type { StreamValues } from "../stream_form.ts";

/** A labelled field with its problem slot (filled by the server or by FormAssist). */
export function Field(
  { name, label, hint, problem, children }: {
    name: string;
    label: string;
    hint?: string;
    problem?: string;
    children: ComponentChildren;
  },
) {
  return (
    <div class="field">
      <label for={`f-${name}`}>{label}</label>
      {children}
      {hint && <small id={`h-${name}`}>{hint}</small>}
      <p class="problem" data-problem-for={name} id={`p-${name}`}>{problem ?? ""}</p>
    </div>
  );
}

/** A text input inside a {@link Field}, wired to its hint and problem slot. */
export function TextField(
  { name, label, hint, value, problem, numeric }: {
    name: string;
    label: string;
    hint?: string;
    value?: string;
    problem?: string;
    numeric?: boolean;
  },
) {
  return (
    <Field name={name} label={label} hint={hint} problem={problem}>
      <input
        id={`f-${name}`}
        name={name}
        value={value ?? ""}
        inputMode={numeric ? "decimal" : undefined}
        aria-describedby={hint ? `h-${name} p-${name}` : `p-${name}`}
        aria-invalid={problem ? "true" : undefined}
      />
    </Field>
  );
}

/**
 * The write-only password: always empty, "•••• set" as its placeholder when the stored URL has
 * one (`from` names the cloned camera it comes from), and a "Remove password" box.
 */
export function PasswordField(
  { set, from, problem }: { set: boolean; from?: string; problem?: string },
) {
  const hint = set
    ? `Leave empty to keep the stored password${from ? ` (from ${from})` : ""}.`
    : "Optional; the URL's user name goes in the URL field.";
  return (
    <>
      <Field name="password" label="Password" hint={hint} problem={problem}>
        <input
          id="f-password"
          name="password"
          type="password"
          value=""
          placeholder={set ? "•••• set" : "none"}
          autocomplete="new-password"
          aria-describedby="h-password p-password"
          aria-invalid={problem ? "true" : undefined}
        />
      </Field>
      {set && (
        <div class="field check">
          <label>
            <input type="checkbox" name="remove_password" /> Remove password
          </label>
        </div>
      )}
    </>
  );
}

/** Media checks: on/off, cadence, freeze time, the expected picture, RTSP transport. */
export function MediaFields(
  { v, f }: { v: StreamValues; f: Record<string, string> },
) {
  return (
    <fieldset class="editor-group">
      <legend>Picture checks</legend>
      <Field name="media" label="Media checks" problem={f.media}>
        <select id="f-media" name="media" value={v.media ?? ""} aria-describedby="p-media">
          <option value="">Automatic (on for RTSP, MJPEG, HLS)</option>
          <option value="on">On</option>
          <option value="off">Off</option>
        </select>
      </Field>
      <div class="editor-row">
        <TextField
          name="media_check_seconds"
          label="Media check every (s)"
          hint="Blank: 60 s; at least 10"
          value={v.mediaCheck}
          problem={f.media_check_seconds}
          numeric
        />
        <TextField
          name="freeze_seconds"
          label="Frozen after (s)"
          hint="Blank: 30 s"
          value={v.freeze}
          problem={f.freeze_seconds}
          numeric
        />
      </div>
      <div class="editor-row">
        <TextField
          name="expect_codec"
          label="Expected codec"
          hint="e.g. h264, hevc, mjpeg"
          value={v.expectCodec}
          problem={f.expect_codec}
        />
        <TextField
          name="expect_min_fps"
          label="Lowest frame rate"
          value={v.expectMinFps}
          problem={f.expect_min_fps}
          numeric
        />
      </div>
      <div class="editor-row">
        <TextField
          name="expect_width"
          label="Expected width (px)"
          value={v.expectWidth}
          problem={f.expect_width}
          numeric
        />
        <TextField
          name="expect_height"
          label="Expected height (px)"
          value={v.expectHeight}
          problem={f.expect_height}
          numeric
        />
      </div>
      <Field name="rtsp_transport" label="RTSP transport" problem={f.rtsp_transport}>
        <select
          id="f-rtsp_transport"
          name="rtsp_transport"
          value={v.rtspTransport ?? ""}
          aria-describedby="p-rtsp_transport"
        >
          <option value="">Default (auto)</option>
          <option value="auto">Auto: TCP, then UDP</option>
          <option value="tcp">TCP</option>
          <option value="udp">UDP</option>
        </select>
      </Field>
    </fieldset>
  );
}

/** Alert keys: the site and the stream this one depends on (a select of the other streams). */
export function AlertFields(
  { v, f, others }: { v: StreamValues; f: Record<string, string>; others: string[] },
) {
  const parent = v.parent ?? "";
  const choices = parent && !others.includes(parent) ? [...others, parent] : others;
  return (
    <fieldset class="editor-group">
      <legend>Alerts</legend>
      <TextField
        name="site"
        label="Site"
        hint="Where the camera is; alert rules and maintenance windows can filter by it"
        value={v.site}
        problem={f.site}
      />
      <Field
        name="parent"
        label="Depends on"
        hint="While that stream is down, this one's alerts fold into its alert"
        problem={f.parent}
      >
        <select
          id="f-parent"
          name="parent"
          value={parent}
          aria-describedby="h-parent p-parent"
        >
          <option value="">Nothing</option>
          {choices.map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </Field>
    </fieldset>
  );
}
