/** The dashboard: every stream in one live table. */

import { LiveTable, type LiveTableProps } from "../../islands/mod.ts";
import { Island } from "./layout.tsx";

/** The dashboard body; the table is an island fed by `/events`. */
export function DashboardPage(props: LiveTableProps) {
  return (
    <section>
      <div class="heading">
        <h1>Streams</h1>
        <a class="button" href="/streams/new">Add stream</a>
        <a class="button import-link" href="/streams/import">Import streams</a>
      </div>
      <Island
        name="LiveTable"
        component={LiveTable}
        props={props}
        live={{ clientProps: { ...props, rows: undefined } }}
      />
    </section>
  );
}
