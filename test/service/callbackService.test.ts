/**
 * The composed service with both phone ports injected (test/helpers/phonePorts.ts): what it restores is
 * pushed through the given push client and served by the given HTTP service, push settings rebuild the
 * client through the given factory, and stop closes both.
 */
import t from "tap";
import { loadConfig } from "../../src/config/load.js";
import { configureLogging } from "../../src/logging/logger.js";
import { CallbackService } from "../../src/service/callbackService.js";
import { MemoryFlashFs } from "../../src/store/flashFs.js";
import { settle } from "../../src/util/fakeClock.js";
import { StubPorts } from "../helpers/phonePorts.js";
import { notificationInFlight } from "../helpers/snapshots.js";

configureLogging({ level: "silent" });

t.test("a restored notification in flight is pushed again through the injected ports", async (t) => {
    const { fs, notified } = notificationInFlight();
    const config = loadConfig({
        env: {},
        overrides: { log: { level: "silent" }, phones: { pushUser: "u", pushPassword: "p" } },
    });
    const at = (notified.notifiedAt ?? 0) + 1000;
    const clock = { now: () => at, setTimeout: () => null, clearTimeout: () => undefined };
    const ports = new StubPorts();
    const service = new CallbackService({
        config,
        fs,
        timeMode: "live",
        clock,
        push: ports.push,
        phoneHttp: ports.phoneHttp,
    });
    const stub = ports.http;
    const clients = ports.clients;
    t.equal(service.http, stub, "the injected HTTP service");
    t.equal(service.push, clients[0], "the injected push client");
    await service.start();
    t.ok(stub.running);
    const push = clients[0]!.pushes[0];
    t.equal(push?.target.device, notified.caller.device, "pushed to the phone the snapshot names");
    t.match(stub.tickets[0], { kind: "available", ref: notified.id });
    t.equal(service.pushesInFlight, 1);
    push?.answer({});
    await settle();
    t.equal(service.pushesInFlight, 0);
    t.equal(service.state.requests.find((r) => r.id === notified.id)?.delivery?.inFlight, false, "delivered");

    service.configurePush({ ...config.phones, pushUser: null, pushPassword: null });
    t.equal(service.push, null, "no push user: the factory gives none");
    t.ok(clients[0]!.closed, "the old client closed (nothing in flight)");
    await service.stop();
    t.notOk(stub.running, "stop stops the HTTP service");
});

t.test("callers that pass no ports get the real ones", async (t) => {
    const config = loadConfig({ env: {}, overrides: { http: { listen: "127.0.0.1:0" }, log: { level: "silent" } } });
    const service = new CallbackService({ config, fs: new MemoryFlashFs(), timeMode: "capture" });
    t.equal(service.push, null, "no push user configured");
    await service.start();
    t.match(service.http.baseUrl, /^http:\/\/127\.0\.0\.1:\d+/);
    await service.stop();
});
