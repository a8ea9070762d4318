/**
 * The engine's effects on phones against stand-ins for the two ports (no HTTP, no sockets): a screen or a
 * notification becomes a ticket and a push, every outcome comes back as a PushResult, observe mode and
 * phones without XSI withhold, a changed push client is closed once its pushes are done.
 */
import t from "tap";
import type { EngineDeviceView } from "../../src/callback/ports.js";
import type { EngineInput, NotifyEffect, ShowScreenEffect } from "../../src/callback/types.js";
import { loadConfig } from "../../src/config/load.js";
import { noopLogger } from "../../src/logging/memory.js";
import { PhoneEffects, type PhoneEffectsHost } from "../../src/service/phoneEffects.js";
import type { ServiceCounters } from "../../src/service/serviceApi.js";
import { settle } from "../../src/util/fakeClock.js";
import { type StubHttp, StubPorts, type StubPush } from "../helpers/phonePorts.js";

interface Rig {
    fx: PhoneEffects;
    http: StubHttp;
    clients: StubPush[];
    inputs: EngineInput[];
    counters: ServiceCounters;
    host: PhoneEffectsHost & {
        active: boolean;
        stopped: boolean;
        waiting: Set<string>;
        onInput: ((i: EngineInput) => void) | null;
    };
}

function rig(opts: { observe?: boolean; pushUser?: string | null; xsi?: boolean } = {}): Rig {
    const config = loadConfig({ env: {}, overrides: { log: { level: "silent" } } });
    const phones = { ...config.phones, pushUser: opts.pushUser === undefined ? "u" : opts.pushUser, pushPassword: "p" };
    const inputs: EngineInput[] = [];
    const ports = new StubPorts();
    const counters: ServiceCounters = { pushOk: 0, pushFailed: 0, notifications: 0, pressesIgnored: 0, withheld: 0 };
    const device = { xsiPush: opts.xsi ?? true } as EngineDeviceView;
    const host: Rig["host"] = {
        input(i: EngineInput) {
            inputs.push(i);
            this.onInput?.(i);
        },
        onInput: null,
        active: true,
        stopped: false,
        waiting: new Set<string>(),
        awaitsDurability(reply: string) {
            return this.waiting.has(reply);
        },
        device: () => device,
        identity: (key: string) => ({ name: key, model: "Cisco IP Phone 7960" }),
    };
    const fx = new PhoneEffects({
        host,
        phones,
        observe: opts.observe ?? false,
        push: ports.push,
        http: ports.phoneHttp,
        counters,
        log: noopLogger,
    });
    return { fx, http: ports.http, clients: ports.clients, inputs, counters, host };
}

const screen: ShowScreenEffect = {
    type: "ShowScreen",
    device: "SEP000000000001",
    ip: "10.0.0.1",
    kind: "activated",
    params: { dn: "1002" },
    actions: ["cancel"],
    ref: "cb-1",
};
const notify: NotifyEffect = {
    type: "Notify",
    device: "SEP000000000001",
    ip: "10.0.0.1",
    dn: "1002",
    ref: "cb-1",
    phoneTime: { epochMs: 0 },
    attempt: 1,
};

t.test("a screen: a ticket for the phone, a push of its URL, the outcome back into the engine", async (t) => {
    const r = rig();
    t.equal(r.fx.push, r.clients[0]);
    r.fx.show(screen);
    t.match(r.http.tickets[0], { device: screen.device, phoneIp: "10.0.0.1", kind: "activated", ref: "cb-1" });
    const p = r.clients[0]!.pushes[0]!;
    t.same(p.target, { ip: "10.0.0.1", device: "SEP000000000001", mac: "000000000001" });
    t.match(p.xml, "http://box/s/t1");
    t.equal(r.fx.pushesInFlight, 1);
    p.answer({ ok: false, code: "PUSH_UNREACHABLE" });
    await settle();
    t.equal(r.fx.pushesInFlight, 0);
    t.same(r.inputs, [
        { type: "PushResult", ref: "cb-1", notify: false, ok: false, code: "PUSH_UNREACHABLE", device: screen.device },
    ]);
    t.equal(r.counters.pushFailed, 1);
    r.fx.show({ ...screen, ip: null });
    t.equal(r.clients[0]!.pushes.length, 1, "no address: nothing pushed");
});

t.test("a notification: the twinkle, then the available screen", async (t) => {
    const r = rig();
    r.fx.notify(notify);
    const p = r.clients[0]!.pushes[0]!;
    t.match(p.xml, /Play:.*http:\/\/box\/s\/t1/s);
    p.answer({});
    await settle();
    t.match(r.inputs, [{ type: "PushResult", ref: "cb-1", notify: true, ok: true, code: "PUSH_OK" }]);
    t.same([r.counters.notifications, r.counters.pushOk], [1, 1]);
    r.fx.notify({ ...notify, ip: null });
    t.match(r.inputs[1], { code: "PUSH_BAD_TARGET", notify: true });
});

t.test("withheld: observe mode answers as pushed, a phone without XSI as not supported", async (t) => {
    const observe = rig({ observe: true });
    observe.fx.notify(notify);
    observe.fx.show(screen);
    await settle();
    t.same(observe.clients[0]!.pushes, []);
    t.match(observe.inputs, [{ ok: true, code: "PUSH_WITHHELD" }]);
    t.equal(observe.counters.withheld, 2);
    const noXsi = rig({ xsi: false });
    noXsi.fx.notify(notify);
    await settle();
    t.match(noXsi.inputs, [{ ok: false, code: "PUSH_NOT_SUPPORTED" }]);
});

t.test("no push user: nothing sent, PUSH_NOT_CONFIGURED; after stop no outcome goes in", async (t) => {
    const r = rig({ pushUser: null });
    t.equal(r.fx.push, null);
    r.fx.show(screen);
    await settle();
    t.match(r.inputs, [{ ok: false, code: "PUSH_NOT_CONFIGURED" }]);
    r.host.stopped = true;
    r.fx.show(screen);
    await settle();
    t.equal(r.inputs.length, 1);
});

t.test("new push settings: a new client; the old one closes once its push is done", async (t) => {
    const r = rig();
    const config = loadConfig({ env: {}, overrides: { log: { level: "silent" } } });
    r.fx.show(screen);
    const old = r.clients[0]!;
    r.fx.configurePush({ ...config.phones, pushUser: "u", pushPassword: "p" });
    t.equal(r.clients.length, 1, "the same settings keep the client");
    r.fx.configurePush({ ...config.phones, pushUser: "u2", pushPassword: "p" });
    t.equal(r.fx.push, r.clients[1]);
    t.notOk(old.closed, "its push is in flight");
    old.pushes[0]!.answer({});
    await settle();
    t.ok(old.closed);
    await r.fx.stop();
    t.ok(r.clients[1]!.closed, "stop closes the current client");
});

t.test("a phone's action: the engine's answer is the reply; unanswered, waiting and standby ones too", async (t) => {
    const r = rig();
    const ticket = {
        device: "SEPA",
        phoneIp: "10.0.0.1",
        kind: "activated" as const,
        ref: "cb-1",
        token: "x",
        issuedAt: 0,
        expiresAt: 1,
    };
    t.same(await r.http.onAction(ticket, "cancel"), { kind: "requestInvalid" }, "an engine that did not answer");
    t.match(r.inputs[0], { type: "PhoneAction", ref: "cb-1", action: "cancel", device: "SEPA" });
    r.host.onInput = (i) => {
        if (i.type === "PhoneAction")
            r.fx.show({ ...screen, kind: "cancelled", actions: [], ref: null, reply: i.reply });
    };
    t.same(await r.http.onAction(ticket, "cancel"), { kind: "cancelled", params: { dn: "1002" }, actions: [] });
    r.host.onInput = (i) => {
        if (i.type === "PhoneAction" && i.reply !== undefined) r.host.waiting.add(i.reply);
    };
    const waiting = r.http.onAction(ticket, "ok");
    r.fx.failWaiting();
    t.same(await waiting, { kind: "serviceUnavailable" }, "standby: the waiting phone is told");
    r.host.active = false;
    t.same(await r.http.onAction(ticket, "ok"), { kind: "serviceUnavailable" });
});
