/** The MQTT page shows why the MQTT task is not connected (the whole stack, a real mosquitto). */

import { assert, assertStringIncludes } from "../assert.ts";
import { MQTT_USER, startMosquitto } from "../fixtures/mosquitto.ts";
import { startWebStack } from "../web/harness.ts";
import { setupAndSignIn } from "../web/helpers.ts";

Deno.test("the MQTT page shows lastError when the broker refuses the login", async () => {
  const b = await startMosquitto();
  const config = `mqtt:
  enabled: true
  host: 127.0.0.1
  port: ${b.ports.plain}
  username: ${MQTT_USER}
  password: wrong-Pa55word
streams: []
`;
  const s = await startWebStack({ listen: false, config });
  try {
    const c = await setupAndSignIn(s.web.app, s.web.setupToken()!);
    const end = Date.now() + 8000;
    let html = "";
    while (!html.includes("not authorized") && Date.now() < end) {
      html = await (await c.get("/mqtt")).text();
      if (!html.includes("not authorized")) await new Promise((r) => setTimeout(r, 100));
    }
    assertStringIncludes(html, 'id="mqtt-trouble"');
    assertStringIncludes(html, `not authorized by 127.0.0.1:${b.ports.plain}`);
    assert(!html.includes("wrong-Pa55word"), "the password never reaches the page");
  } finally {
    await s.stop();
    await b.stop();
  }
});
