/** The camera grid page: one snapshot tile per stream, live by push. */

import { CameraGrid, type CameraGridProps } from "../../islands/mod.ts";
import { Island } from "./layout.tsx";

/** The grid body; the tiles are an island fed by `/events` (the server renders them first). */
export function GridPage(props: CameraGridProps) {
  return (
    <section>
      <div class="heading">
        <h1>Camera grid</h1>
        <a class="button" href="/">Table view</a>
      </div>
      <Island
        name="CameraGrid"
        component={CameraGrid}
        props={props}
        live={{ clientProps: { ...props, rows: undefined } }}
      />
    </section>
  );
}
