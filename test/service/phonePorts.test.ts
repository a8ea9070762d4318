/** The phone ports' real defaults: the push client only with credentials, the HTTP service on http.listen. */
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { PushClient } from "../../src/phone/push.js";
import {
    guessPublicUrl,
    pushClientFor,
    realPhoneHttpFactory,
    realPushFactory,
    splitListen,
} from "../../src/service/phonePorts.js";

const config = loadConfig({ env: {}, overrides: { http: { listen: "127.0.0.1:0" }, log: { level: "silent" } } });

t.test("listen addresses", async (t) => {
    t.same(splitListen("0.0.0.0:8080"), ["0.0.0.0", 8080]);
    t.same(splitListen("[::]:8081"), ["::", 8081]);
    t.equal(guessPublicUrl("127.0.0.1:8080"), undefined, "one address: the bound one is used");
    const guessed = guessPublicUrl("0.0.0.0:8080");
    t.ok(guessed === undefined || /^http:\/\/[\d.]+:8080$/.test(guessed), String(guessed));
});

t.test("the push client: none without a push user, a real one with", async (t) => {
    t.equal(pushClientFor({ ...config.phones, pushUser: null, pushPassword: null }, 1000), null);
    const client = pushClientFor({ ...config.phones, pushUser: "u", pushPassword: "p" }, 1000);
    t.ok(client instanceof PushClient);
    client?.close();
    const made = realPushFactory(config)({ ...config.phones, pushUser: "u", pushPassword: "p" });
    t.ok(made instanceof PushClient);
    made?.close();
});

t.test("the phone HTTP service: the real one, with the service's handlers", async (t) => {
    const http = realPhoneHttpFactory(config)({
        onAction: () => ({ kind: "notActive" }),
        onRequest: () => undefined,
    });
    await http.start();
    t.match(http.baseUrl, /^http:\/\/127\.0\.0\.1:\d+/);
    const { url } = http.issue({ device: "SEPA", phoneIp: "127.0.0.1", kind: "notActive" });
    t.ok(url.startsWith(http.baseUrl));
    const res = await fetch(url);
    t.equal(res.status, 200);
    await res.arrayBuffer();
    http.revoke("none");
    await http.stop();
});
