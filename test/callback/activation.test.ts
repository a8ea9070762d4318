import t from "tap";
import { persistDone, persistFailed, refusal, triggerOf } from "../../src/callback/activation.js";
import { ENGINE_ALARMS } from "../../src/callback/engine.js";
import { DEFAULT_ENGINE_OPTIONS, resolveOptions } from "../../src/callback/options.js";
import type { ShowScreenEffect } from "../../src/callback/types.js";
import { ended, Harness, notifies, screens, types } from "./helpers.js";

t.test("seed, normal operation: A calls busy B, presses CallBack, B hangs up, A is notified and dials", async (t) => {
    const h = new Harness();
    const fx = h.activate("SEPA", "1001", "1002");
    const activated = screens(fx, "activated");
    t.equal(activated.length, 1, "Call Back is activated on 1002");
    t.same(activated[0], {
        type: "ShowScreen",
        device: "SEPA",
        ip: "10.0.0.1",
        kind: "activated",
        params: { dn: "1002" },
        actions: ["cancel"],
        ref: "cb-1",
    });
    t.equal(h.requests()[0]?.trigger, "busy");
    t.equal(h.requests()[0]?.phase, "waiting");

    t.same(notifies(h.line("1002", "idle")), [], "not before the guard time");
    t.same(notifies(h.advance(2999)), []);
    const n = notifies(h.advance(1));
    t.same(n, [
        {
            type: "Notify",
            device: "SEPA",
            ip: "10.0.0.1",
            dn: "1002",
            ref: "cb-1",
            phoneTime: { epochMs: h.now, utcOffsetMinutes: 60, dateTemplate: "D.M.Y" },
            attempt: 1,
        },
    ]);
    t.equal(h.requests()[0]?.phase, "notified");

    // A presses Dial: the phone goes off hook calling 1002
    h.view.setCalls("SEPA", [{ dn: "1002", connected: false }]);
    const fx2 = h.line("1001", "busy");
    t.same(
        ended(fx2).map((e) => [e.id, e.reason]),
        [["cb-1", "completed"]],
    );
    t.ok(fx2.some((e) => e.type === "RevokeTickets" && e.ref === "cb-1"));
    t.same(h.requests(), []);
    t.same(h.state.callees, [], "no watch left");
    t.equal(h.engine.nextDeadline(h.state), null);
});

t.test("seed, normal operation: A and C both request B, A (first) is served first", async (t) => {
    const h = new Harness({ protectionWindowMs: 10_000 });
    h.activate("SEPA", "1001", "1002");
    h.now += 1000;
    h.activate("SEPC", "1003", "1002");
    t.same(
        h.requests().map((r) => [r.id, r.caller.device]),
        [
            ["cb-1", "SEPA"],
            ["cb-2", "SEPC"],
        ],
    );
    h.line("1002", "idle");
    const first = notifies(h.advance(3000));
    t.same(
        first.map((n) => n.device),
        ["SEPA"],
        "the first requester only",
    );
    t.same(notifies(h.advance(9999)), [], "C waits for the protection window");
    const second = notifies(h.advance(1));
    t.same(
        second.map((n) => n.device),
        ["SEPC"],
        "both receive notification (the seed)",
    );
});

t.test("the protection window protects the first: B taken again means C keeps waiting", async (t) => {
    const h = new Harness({ protectionWindowMs: 10_000 });
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    h.line("1002", "idle");
    h.advance(3000);
    // A dials B: B rings, A's request completes
    h.view.setCalls("SEPA", [{ dn: "1002", connected: false }]);
    h.line("1001", "busy");
    const fx = h.line("1002", "ringing");
    t.same(
        ended(h.log).map((e) => e.reason),
        ["completed"],
    );
    t.same(notifies(fx), []);
    t.same(notifies(h.advance(60_000)), [], "C is not notified while B is in use");
    t.equal(h.requests()[0]?.phase, "waiting");
    h.line("1002", "busy");
    h.view.setCalls("SEPA", []);
    h.line("1001", "idle");
    h.line("1002", "idle");
    t.same(
        notifies(h.advance(3000)).map((n) => n.device),
        ["SEPC"],
        "C is first now",
    );
});

t.test("protection window 0: every requester at once (the seed's wording)", async (t) => {
    const h = new Harness({ protectionWindowMs: 0 });
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    h.activate("SEPD", "1004", "1002");
    h.line("1002", "idle");
    t.same(
        notifies(h.advance(3000)).map((n) => n.device),
        ["SEPA", "SEPC", "SEPD"],
    );
});

/** Refusal cases: [name, setup, press, expected screen, dn param]. */
const refusals: [
    string,
    (h: Harness) => void,
    (h: Harness) => unknown,
    ShowScreenEffect["kind"],
    string | undefined,
][] = [
    ["number not in the directory", () => {}, (h) => h.press("SEPA", "9999"), "notFound", "9999"],
    [
        "called number has Call Forward All",
        (h) => {
            h.view.number("1002").forwardAll = "2000";
        },
        (h) => h.press("SEPA", "1002"),
        "cannotInvoke",
        "1002",
    ],
    [
        "calling phone model without the CallBack softkey (7970)",
        (h) => h.view.addPhone("SEPE", { dn: "1005", model: "Cisco IP Phone 7970" }),
        (h) => h.press("SEPE", "1002"),
        "cannotInvoke",
        "1002",
    ],
    [
        "called device type not in the seed's list",
        (h) => h.view.addPhone("SEPF", { dn: "1006", callBackTarget: false }),
        (h) => h.press("SEPA", "1006"),
        "cannotInvoke",
        "1006",
    ],
    ["Call Back on one's own number", () => {}, (h) => h.press("SEPA", "1001"), "cannotInvoke", "1001"],
    [
        "no CallManager link observed",
        (h) => {
            h.view.cmLink = false;
        },
        (h) => h.press("SEPA", "1002"),
        "serviceUnavailable",
        undefined,
    ],
    [
        "CTI required and down",
        (h) => {
            h.view.ctiNeeded = true;
            h.view.ctiLinkUp = false;
        },
        (h) => h.press("SEPA", "1002"),
        "serviceUnavailable",
        undefined,
    ],
    ["called number not learnt", () => {}, (h) => h.press("SEPA", null), "serviceFailure", undefined],
    [
        "the store cannot write",
        (h) => {
            h.autoPersist = false;
        },
        (h) => {
            h.press("SEPA", "1002");
            return h.send({ type: "PersistFailed", error: "EROFS" });
        },
        "serviceFailure",
        undefined,
    ],
];

t.test("abnormal operation: every refusal shows the seed's screen and keeps nothing", async (t) => {
    for (const [name, setup, act, kind, dn] of refusals) {
        const h = new Harness();
        setup(h);
        h.line("1002", "busy");
        act(h);
        const shown = screens(h.log);
        t.equal(shown.length, 1, `${name}: one screen`);
        t.equal(shown[0]?.kind, kind, name);
        t.equal(shown[0]?.device, shown[0]?.device === "SEPE" ? "SEPE" : "SEPA", `${name}: to the caller`);
        t.same(shown[0]?.params, dn === undefined ? {} : { dn }, `${name}: params`);
        t.same(shown[0]?.actions, [], `${name}: Exit only`);
        t.same(h.requests(), [], `${name}: no request kept`);
    }
});

t.test("CTI required and up, callee of unknown type, caller of unknown model: allowed", async (t) => {
    const h = new Harness();
    h.view.ctiNeeded = true;
    h.view.addPhone("SEPG", { dn: "1007", callBackTarget: null });
    h.view.addPhone("SEPH", { dn: "1008", model: null });
    h.line("1007", "busy");
    h.press("SEPH", "1007");
    t.equal(screens(h.log, "activated").length, 1);
});

t.test("callerModels * allows every model; a configured list replaces the seed's", async (t) => {
    const all = new Harness({ callerModels: "*" });
    all.view.addPhone("SEPE", { dn: "1005", model: "Cisco IP Phone 7970" });
    all.line("1002", "busy");
    all.press("SEPE", "1002");
    t.equal(screens(all.log, "activated").length, 1);
    const only = new Harness({ callerModels: "7970" });
    only.view.addPhone("SEPE", { dn: "1005", model: "Cisco IP Phone 7970" });
    only.line("1002", "busy");
    only.press("SEPA", "1002");
    only.press("SEPE", "1002");
    t.same(
        screens(only.log).map((s) => [s.device, s.kind]),
        [
            ["SEPA", "cannotInvoke"],
            ["SEPE", "activated"],
        ],
    );
});

t.test("Table 4-1: Call Waiting and Call Forward Busy / No Answer supported, Call Forward All not", async (t) => {
    // [call waiting, CFA, CFB, CFNA, supported]; CFB/CFNA do not change what the box sees of the number
    const rows: [boolean, boolean, boolean, boolean, boolean][] = [
        [true, false, false, false, true],
        [true, true, false, true, false],
        [false, true, true, false, false],
        [false, false, true, false, true],
        [false, false, false, true, true],
        [false, false, true, true, true],
        [false, false, false, false, true],
    ];
    for (const [cw, cfa, cfb, cfna, supported] of rows) {
        const name = `CW ${cw ? "ON" : "OFF"}, CFA ${cfa}, CFB ${cfb}, CFNA ${cfna}`;
        const h = new Harness();
        if (cfa) h.view.number("1002").forwardAll = "2000";
        h.line("1001", "busy");
        // B busy on another call; with call waiting A hears ringback, else busy
        h.line("1002", "busy");
        h.press("SEPA", "1002", cw ? "ringback" : "busy");
        h.line("1001", "idle");
        const shown = screens(h.log);
        t.equal(shown[0]?.kind, supported ? "activated" : "cannotInvoke", name);
        if (!supported) continue;
        t.equal(h.requests()[0]?.trigger, cw ? "no-answer" : "busy", `${name}: trigger`);
        h.line("1002", "idle");
        t.equal(notifies(h.advance(3000)).length, 1, `${name}: notified when B hangs up`);
    }
});

t.test("durable before shown: activated only after PersistDone covers the request", async (t) => {
    const h = new Harness();
    h.autoPersist = false;
    h.line("1002", "busy");
    const fx = h.press("SEPA", "1002");
    t.same(types(fx), ["Persist"]);
    t.same(fx[0], { type: "Persist", generation: 1 });
    t.equal(h.requests()[0]?.phase, "pending");
    t.same(h.idlePress("SEPA"), [], "idle press while pending: the activated screen is on its way");
    t.same(screens(h.send({ type: "PersistDone", upTo: 0 })), [], "an older generation does not count");
    t.same(h.advance(3000), [], "a pending request is not served");
    const done = h.send({ type: "PersistDone", upTo: 1 });
    t.same(types(done), ["ShowScreen:activated", "RequestChanged"]);
    t.equal(h.state.durable, 1);
    t.equal(h.requests()[0]?.activeSince, h.now);
});

t.test("PersistFailed: Call Back Service Failure, nothing kept; a later success works", async (t) => {
    const h = new Harness();
    h.autoPersist = false;
    h.line("1002", "busy");
    h.press("SEPA", "1002");
    const fx = h.send({ type: "PersistFailed", upTo: 1, error: "EROFS" });
    t.same(types(fx), ["ShowScreen:serviceFailure", "RevokeTickets", "RequestEnded", "Persist"]);
    t.same(
        ended(fx).map((e) => [e.reason, e.detail]),
        [["persist-failed", "EROFS"]],
    );
    t.same(h.requests(), []);
    t.same(h.state.callees, []);
    h.autoPersist = true;
    h.press("SEPA", "1002");
    t.equal(screens(h.log, "activated").length, 1);
});

t.test("no answer from the store within the time-out: service failure", async (t) => {
    const h = new Harness({ persistTimeoutMs: 5000 });
    h.autoPersist = false;
    h.line("1002", "busy");
    h.press("SEPA", "1002");
    t.equal(h.engine.nextDeadline(h.state), h.now + 5000);
    t.same(screens(h.advance(4999)), []);
    const fx = h.advance(1);
    t.same(
        screens(fx).map((s) => s.kind),
        ["serviceFailure"],
    );
    t.same(h.requests(), []);
    t.same(screens(h.send({ type: "PersistDone", upTo: 1 })), [], "a late ack changes nothing");
});

t.test("already active: OK replaces the old request once the new one is durable", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    const fx = h.press("SEPA", "1003");
    const offer = screens(fx, "alreadyActive")[0];
    t.same(
        offer?.params,
        { dn: "1002", dn2: "1003" },
        "CallBack is already active on 1002. Press OK to activate on 1003.",
    );
    t.same(offer?.actions, ["ok"]);
    t.equal(offer?.ref, "of-2");
    t.equal(h.requests().length, 1, "nothing changes before OK");
    t.equal(h.state.offers.length, 1);

    h.autoPersist = false;
    const ok = h.send({ type: "PhoneAction", ref: "of-2", action: "ok", device: "SEPA", reply: "http-1" });
    t.same(types(ok), ["RevokeTickets", "Persist"], "no answer before durable");
    t.same(
        h.requests().map((r) => [r.id, r.calledDn, r.phase]),
        [["cb-3", "1003", "pending"]],
    );
    const done = h.send({ type: "PersistDone", upTo: h.state.generation });
    t.same(
        ended(done).map((e) => [e.id, e.reason]),
        [["cb-1", "replaced"]],
    );
    const answer = screens(done, "activated")[0];
    t.equal(answer?.reply, "http-1", "the HTTP reply to OK");
    t.same(answer?.params, { dn: "1003" });
    t.equal(answer?.ref, "cb-3");
    t.same(
        h.state.callees.map((w) => w.dn),
        ["1003"],
    );
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-2", action: "ok", reply: "http-2" })).map((s) => [
            s.kind,
            s.reply,
        ]),
        [["requestInvalid", "http-2"]],
        "an offer is used once",
    );
});

t.test("already active: OK then PersistFailed brings the old request back, still served", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    h.line("1004", "busy");
    h.press("SEPA", "1004");
    h.autoPersist = false;
    h.send({ type: "PhoneAction", ref: "of-3", action: "ok", reply: "r" });
    t.same(
        h.requests().map((r) => r.id),
        ["cb-2", "cb-4"],
    );
    const fx = h.send({ type: "PersistFailed" });
    t.same(
        screens(fx).map((s) => [s.kind, s.reply]),
        [["serviceFailure", "r"]],
    );
    t.same(
        h.requests().map((r) => [r.id, r.phase]),
        [
            ["cb-1", "waiting"],
            ["cb-2", "waiting"],
        ],
        "cb-1 back in its place in the queue",
    );
    h.autoPersist = true;
    h.line("1002", "idle");
    t.same(
        notifies(h.advance(3000)).map((n) => n.ref),
        ["cb-1"],
    );
});

t.test("already active: OK re-checks (Call Forward All meanwhile, offer expired, another device)", async (t) => {
    const h = new Harness({ offerTtlMs: 60_000 });
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.press("SEPA", "1003");
    h.view.number("1003").forwardAll = "2000";
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-2", action: "ok", reply: "a" })).map((s) => s.kind),
        ["cannotInvoke"],
    );
    t.same(
        h.requests().map((r) => r.id),
        ["cb-1"],
        "the old one stays",
    );

    h.view.number("1003").forwardAll = null;
    h.press("SEPA", "1003");
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-3", action: "ok", device: "SEPC", reply: "b" })).map(
            (s) => s.kind,
        ),
        ["requestInvalid"],
        "only the phone it was offered to",
    );
    const fx = h.advance(60_000);
    t.ok(
        fx.some((e) => e.type === "RevokeTickets" && e.ref === "of-3"),
        "expired offers are revoked",
    );
    t.same(h.state.offers, []);
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-3", action: "ok", reply: "c" })).map((s) => s.kind),
        ["requestInvalid"],
    );

    h.press("SEPA", "1003");
    h.view.cmLink = false;
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-4", action: "ok", reply: "d" })).map((s) => s.kind),
        ["serviceUnavailable"],
    );
});

t.test("already active: a second offer replaces the first; OK after the old one ended just activates", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    h.line("1003", "busy");
    h.line("1004", "busy");
    h.press("SEPA", "1003");
    const fx = h.press("SEPA", "1004");
    t.ok(fx.some((e) => e.type === "RevokeTickets" && e.ref === "of-2"));
    t.same(
        h.state.offers.map((o) => o.id),
        ["of-3"],
    );
    h.send({ type: "AdminCancel", id: "cb-1" });
    const ok = h.send({ type: "PhoneAction", ref: "of-3", action: "ok", reply: "x" });
    t.same(
        screens(ok, "activated").map((s) => [s.params.dn, s.reply]),
        [["1004", "x"]],
    );
    t.same(
        ended(ok).map((e) => e.reason),
        [],
    );
});

t.test("pressing again on the number already requested shows the activated screen again", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const fx = h.press("SEPA", "1002");
    t.same(
        screens(fx).map((s) => [s.kind, s.ref]),
        [["activated", "cb-1"]],
    );
    t.equal(h.requests().length, 1);
    t.same(
        types(fx).filter((x) => x === "Persist"),
        [],
    );
});

t.test("idle press: not active, activated with Cancel, available again once notified", async (t) => {
    const h = new Harness();
    t.same(
        screens(h.idlePress("SEPA")).map((s) => [s.kind, s.params, s.actions]),
        [["notActive", {}, []]],
        "Call Back is not active. Press Exit to quit this screen.",
    );
    h.activate("SEPA", "1001", "1002");
    t.same(
        screens(h.idlePress("SEPA")).map((s) => [s.kind, s.params, s.actions, s.ref]),
        [["activated", { dn: "1002" }, ["cancel"], "cb-1"]],
    );
    h.line("1002", "idle");
    const n = notifies(h.advance(3000))[0];
    h.now += 60_000;
    const again = screens(h.idlePress("SEPA"))[0];
    t.equal(again?.kind, "available");
    t.same(again?.phoneTime, n?.phoneTime, "the time it became available");
});

t.test("cancel from the phone: cancelled screen as the reply, request gone", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const fx = h.send({ type: "PhoneAction", ref: "cb-1", action: "cancel", device: "SEPA", reply: "q" });
    t.same(
        screens(fx).map((s) => [s.kind, s.params, s.reply]),
        [["cancelled", { dn: "1002" }, "q"]],
    );
    t.same(
        ended(fx).map((e) => e.reason),
        ["cancelled-phone"],
    );
    t.same(h.requests(), []);
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "cb-1", action: "cancel", device: "SEPA", reply: "q2" })).map(
            (s) => s.kind,
        ),
        ["notActive"],
        "twice: not active",
    );
    h.activate("SEPA", "1001", "1002");
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "cb-2", action: "cancel", device: "SEPC", reply: "q3" })).map(
            (s) => [s.kind, s.device],
        ),
        [["requestInvalid", "SEPC"]],
        "another phone cannot cancel it",
    );
    h.press("SEPA", "1003");
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "of-3", action: "cancel", reply: "q4" })).map((s) => s.kind),
        ["requestInvalid"],
        "an offer has no Cancel",
    );
    t.same(
        screens(h.send({ type: "PhoneAction", ref: "cb-2", action: "ok", reply: "q5" })).map((s) => s.kind),
        ["requestInvalid"],
        "a request has no OK",
    );
});

t.test("cancel from MQTT/console: reason kept, the caller is told, unknown id answered", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const fx = h.send({ type: "AdminCancel", id: "cb-1", reason: "by admin", reply: "m1" });
    t.same(
        ended(fx).map((e) => [e.reason, e.detail]),
        [["cancelled-admin", "by admin"]],
    );
    t.same(
        screens(fx).map((s) => [s.kind, s.device, s.reply]),
        [["cancelled", "SEPA", undefined]],
    );
    t.same(
        fx.filter((e) => e.type === "AdminResult"),
        [{ type: "AdminResult", id: "cb-1", reply: "m1", ok: true, code: "OK" }],
    );
    t.same(h.send({ type: "AdminCancel", id: "cb-1", reply: "m2" }), [
        { type: "AdminResult", id: "cb-1", reply: "m2", ok: false, code: "NOT_FOUND" },
    ]);
});

t.test("caps: a full queue on the callee and the global maximum refuse with 'cannot be invoked'", async (t) => {
    const h = new Harness({ maxQueuePerCallee: 2, maxRequests: 3 });
    h.view.addPhone("SEPE", { dn: "1005" });
    h.view.addPhone("SEPF", { dn: "1006" });
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPC", "1003", "1002");
    const full = h.activate("SEPD", "1004", "1002");
    t.same(
        screens(full).map((s) => [s.kind, s.params]),
        [["cannotInvoke", { dn: "1002" }]],
    );
    h.activate("SEPD", "1004", "1005");
    const cap = h.activate("SEPF", "1006", "1001");
    t.same(
        screens(cap).map((s) => s.kind),
        ["cannotInvoke"],
    );
    t.same(
        cap.filter((e) => e.type === "Alarm"),
        [
            {
                type: "Alarm",
                id: ENGINE_ALARMS.capacity,
                action: "raise",
                details: "3 requests: the maximum (callback.maxRequests) is reached",
            },
        ],
    );
    t.equal(h.requests().length, 3);
    const cleared = h.send({ type: "AdminCancel", id: "cb-1" });
    t.ok(cleared.some((e) => e.type === "Alarm" && e.action === "clear" && e.id === ENGINE_ALARMS.capacity));
});

t.test("more than one active request per caller when configured", async (t) => {
    const h = new Harness({ maxActivePerCaller: 2 });
    h.activate("SEPA", "1001", "1002");
    h.activate("SEPA", "1001", "1003");
    t.same(
        screens(h.log).map((s) => [s.kind, s.params.dn]),
        [
            ["activated", "1002"],
            ["activated", "1003"],
        ],
    );
    const third = h.activate("SEPA", "1001", "1004");
    t.same(
        screens(third).map((s) => [s.kind, s.params]),
        [["alreadyActive", { dn: "1002", dn2: "1004" }]],
        "offers to replace the oldest",
    );
    t.same(
        screens(h.idlePress("SEPA")).map((s) => s.params.dn),
        ["1003"],
        "idle press shows the newest",
    );
    h.send({ type: "PhoneAction", ref: "of-3", action: "ok", reply: "z" });
    t.same(
        h.requests().map((r) => r.calledDn),
        ["1003", "1004"],
    );
});

t.test("engine fault: the state is kept, the phone gets Call Back Service Failure, the alarm is raised", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const before = h.state;
    h.view.failWith = new Error("boom");
    const fx = h.press("SEPC", "1002");
    t.same(types(fx), ["Alarm", "ShowScreen:serviceFailure"]);
    t.same(fx[0], { type: "Alarm", id: ENGINE_ALARMS.failure, action: "raise", details: "CallBackPressed: boom" });
    t.same(h.state.requests, before.requests);
    t.same(h.state.alarms, [ENGINE_ALARMS.failure]);
    const again = h.send({ type: "PhoneAction", ref: "of-9", action: "ok", device: "SEPA", reply: "r" });
    t.same(types(again), ["ShowScreen:serviceFailure"], "raised once");
    t.equal(screens(again)[0]?.reply, "r");
    t.same(h.send({ type: "PhoneAction", ref: "of-9", action: "ok" }), [], "no reply expected: nothing to show");
    h.line("1002", "idle");
    let ticks = 0;
    const handle = h.engine.handle.bind(h.engine);
    h.engine.handle = (...args) => {
        ticks++;
        return handle(...args);
    };
    t.same(h.advance(3000), [], "a fault on a tick: no phone to tell");
    t.equal(ticks, 1, "and no tick loop");
    h.engine.handle = handle;
    h.view.failWith = null;
    h.line("1004", "busy");
    const ok = h.press("SEPC", "1004");
    t.ok(ok.some((e) => e.type === "Alarm" && e.action === "clear" && e.id === ENGINE_ALARMS.failure));
});

// --- the activation room's own functions (src/callback/activation.ts) ---

t.test("room: triggerOf, the seed's checks and a write failed or done", async (t) => {
    t.equal(triggerOf("busy", "idle"), "busy");
    t.equal(triggerOf("reorder", "busy"), "no-answer");
    t.equal(triggerOf(null, "busy"), "busy", "no tone heard: the callee's state");
    t.equal(triggerOf(null, "ringing"), "no-answer");

    const h = new Harness();
    const o = resolveOptions({ ...DEFAULT_ENGINE_OPTIONS, callerModels: "7940" });
    const tx = h.tx();
    const caller = { device: "SEPA", name: null, ip: null, line: 1, dn: "1001", model: "Cisco IP Phone 7960" };
    t.same(refusal(o, tx, caller, "9999"), { kind: "notFound", why: "not in the directory" });
    t.same(refusal(o, tx, caller, "1002"), { kind: "cannotInvoke", why: "calling phone model" });
    t.same(refusal(resolveOptions(DEFAULT_ENGINE_OPTIONS), tx, caller, "1001"), {
        kind: "cannotInvoke",
        why: "own number",
    });
    t.equal(refusal(resolveOptions(DEFAULT_ENGINE_OPTIONS), tx, caller, "1002"), null);

    h.pending();
    const older = h.tx();
    persistFailed(older, { type: "PersistFailed", upTo: h.state.generation - 1 });
    t.same(types(older.effects), [], "an older generation failed: not this request's");
    const failed = h.tx();
    persistFailed(failed, { type: "PersistFailed" });
    t.same(
        types(failed.effects),
        ["ShowScreen:serviceFailure", "RevokeTickets", "RequestEnded"],
        "default: the latest",
    );
    const done = h.tx();
    persistDone(done, h.state.generation);
    t.same(types(done.effects), ["ShowScreen:activated", "RequestChanged"]);
    t.equal(done.durable, h.state.generation);
});
