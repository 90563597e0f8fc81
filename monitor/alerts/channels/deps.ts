/** What a channel may be given besides its config: the clock and the time zone of templates. */

/** Dependencies of every `createXChannel()`; all optional. */
export interface ChannelDeps {
  /** The clock, ms since the epoch (turns a Retry-After date into a delay). Default Date.now. */
  now?: () => number;
  /** The time zone of times in templates (the webhook `body`). Default "UTC". */
  timeZone?: string;
  /** Bound of each SMTP phase (connect, greeting, idle socket), ms. Default 10,000. */
  smtpTimeoutMs?: number;
}
