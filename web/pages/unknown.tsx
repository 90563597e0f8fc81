/** The 404 page of a stream name that is not in config.yaml. */

import type { VNode } from "preact";

/** The body of the "Unknown stream" page. */
export function UnknownStreamPage({ name }: { name: string }): VNode {
  return (
    <section class="narrow">
      <h1>Unknown stream</h1>
      <p>
        There is no stream named “{name}” in config.yaml. <a href="/">Back to the dashboard</a>
      </p>
    </section>
  );
}
