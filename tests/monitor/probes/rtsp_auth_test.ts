/** Unit tests of RTSP authentication: challenge parsing, choice, and Digest/Basic answers. */

import { assert, assertEquals, assertStringIncludes, assertThrows } from "../../assert.ts";
import {
  type AuthChallenge,
  authorizationHeader,
  chooseChallenge,
  digestResponse,
  parseWwwAuthenticate,
} from "../../../monitor/probes/rtsp_auth.ts";

// RFC 2617 §3.5: the classic "Mufasa" example.
const RFC2617 = {
  username: "Mufasa",
  password: "Circle Of Life",
  realm: "testrealm@host.com",
  nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
  method: "GET",
  uri: "/dir/index.html",
};
const OPAQUE = "5ccc069c403ebaf9f0171e9517f40e41";

Deno.test("digestResponse() matches the RFC 2617 qop=auth example", () => {
  const response = digestResponse({ ...RFC2617, qop: "auth", nc: "00000001", cnonce: "0a4f113b" });
  assertEquals(response, "6629fae49393a05397450978507c4ef1");
});

Deno.test("digestResponse() matches the RFC 2069 example (no qop)", () => {
  const response = digestResponse({ ...RFC2617, password: "CircleOfLife" });
  assertEquals(response, "1949323746fe6a43ef61f9606e7febea");
});

Deno.test("digestResponse() matches the RFC 7616 SHA-256 and MD5 examples", () => {
  const params = {
    username: "Mufasa",
    password: "Circle of Life",
    realm: "http-auth@example.org",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  };
  assertEquals(
    digestResponse({ ...params, algorithm: "SHA-256" }),
    "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  );
  assertEquals(digestResponse({ ...params, algorithm: "MD5" }), "8ca523f5e9506fed4657c9700eebdbec");
});

Deno.test("digestResponse() rejects an unsupported algorithm", () => {
  const err = assertThrows(() => digestResponse({ ...RFC2617, algorithm: "SHA-512" }), RangeError);
  assertStringIncludes(err.message, '"SHA-512"');
});

Deno.test("authorizationHeader() answers a Digest qop=auth challenge like RFC 2617", () => {
  const [ch] = parseWwwAuthenticate(
    `Digest realm="${RFC2617.realm}", qop="auth,auth-int", nonce="${RFC2617.nonce}", ` +
      `opaque="${OPAQUE}"`,
  );
  const header = authorizationHeader(ch, RFC2617, {
    method: "GET",
    uri: "/dir/index.html",
    nc: 1,
    cnonce: "0a4f113b",
  });
  assertEquals(
    header,
    `Digest username="Mufasa", realm="testrealm@host.com", nonce="${RFC2617.nonce}", ` +
      `uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", ` +
      `opaque="${OPAQUE}", qop=auth, nc=00000001, cnonce="0a4f113b"`,
  );
});

Deno.test("authorizationHeader() answers Digest without qop and counts nonces in hex", () => {
  const ch: AuthChallenge = { scheme: "Digest", realm: "r", nonce: "n", algorithm: "MD5" };
  const plain = authorizationHeader(ch, { username: "u", password: "p" }, {
    method: "DESCRIBE",
    uri: "rtsp://h/x",
  });
  assert(!plain.includes("qop="), plain);
  assertStringIncludes(plain, ", algorithm=MD5");
  const qop = authorizationHeader({ ...ch, qop: ["auth"] }, { username: "u", password: "p" }, {
    method: "DESCRIBE",
    uri: "rtsp://h/x",
    nc: 26,
  });
  assertStringIncludes(qop, "nc=0000001a, cnonce=");
});

Deno.test("authorizationHeader() builds Basic from UTF-8 credentials", () => {
  const basic: AuthChallenge = { scheme: "Basic", realm: "x" };
  assertEquals(
    authorizationHeader(basic, { username: "Aladdin", password: "open sesame" }, {
      method: "DESCRIBE",
      uri: "rtsp://h/x",
    }),
    "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
  );
  assertEquals(
    authorizationHeader(basic, { username: "ü", password: "€" }, { method: "X", uri: "u" }),
    "Basic w7w64oKs",
  );
});

Deno.test("parseWwwAuthenticate() reads several challenges and quoted values", () => {
  const got = parseWwwAuthenticate(
    'Negotiate, Digest realm="a \\"b\\", c", nonce=abc, algorithm=MD5-sess, stale=TRUE, ' +
      'opaque="o", Basic realm="cam"',
  );
  assertEquals(got, [
    {
      scheme: "Digest",
      realm: 'a "b", c',
      nonce: "abc",
      algorithm: "MD5-sess",
      stale: true,
      opaque: "o",
    },
    { scheme: "Basic", realm: "cam" },
  ]);
  assertEquals(parseWwwAuthenticate('Digest realm="GStreamer RTSP Server", nonce="1383472"'), [
    { scheme: "Digest", realm: "GStreamer RTSP Server", nonce: "1383472" },
  ]);
  assertEquals(parseWwwAuthenticate(""), []);
  assertEquals(parseWwwAuthenticate("Digest realm=x"), [], "Digest without a nonce is unusable");
});

Deno.test("chooseChallenge() prefers Digest, else falls back to Basic", () => {
  const both = parseWwwAuthenticate('Basic realm="r", Digest realm="r", nonce="n"');
  assertEquals(chooseChallenge(both)?.scheme, "Digest");
  const oddDigest = parseWwwAuthenticate(
    'Digest realm="r", nonce="n", algorithm=SHA-512-256, Basic realm="r"',
  );
  assertEquals(chooseChallenge(oddDigest)?.scheme, "Basic");
  const authIntOnly = parseWwwAuthenticate('Digest realm="r", nonce="n", qop="auth-int"');
  assertEquals(chooseChallenge(authIntOnly), undefined);
  assertEquals(chooseChallenge([]), undefined);
});
