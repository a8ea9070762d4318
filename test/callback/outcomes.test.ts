/** The engine's lowest room: screens, the ends of requests and offers, the answer to a fault. */
import t from "tap";
import {
    dropOffer,
    ENGINE_ALARMS,
    end,
    failPending,
    faultResult,
    refuse,
    screen,
    strangerOf,
} from "../../src/callback/outcomes.js";
import { initialState } from "../../src/callback/state.js";
import { Harness, screens, types } from "./helpers.js";

t.test("a screen leaves out what it does not have, and a refusal carries why", async (t) => {
    const h = new Harness();
    const tx = h.tx();
    const caller = strangerOf(tx, "SEPA");
    t.same(caller, { device: "SEPA", name: null, ip: "10.0.0.1", line: null, dn: null, model: null });
    t.same(strangerOf(tx, "SEPX").ip, null, "an unknown phone has no address");
    screen(tx, caller, { kind: "notActive", reply: null });
    refuse(tx, caller, "notFound", { dn: "9999" }, "not in the directory", "r1");
    t.same(tx.effects, [
        { type: "ShowScreen", device: "SEPA", ip: "10.0.0.1", kind: "notActive", params: {}, actions: [], ref: null },
        {
            type: "ShowScreen",
            device: "SEPA",
            ip: "10.0.0.1",
            kind: "notFound",
            params: { dn: "9999" },
            actions: [],
            ref: null,
            why: "not in the directory",
            reply: "r1",
        },
    ]);
});

t.test("end: a request ends once, with its tickets revoked; a pending one answers its waiting action", async (t) => {
    const h = new Harness();
    const pending = h.pending();
    const tx = h.tx();
    end(tx, { ...pending, reply: "r7" }, "cancelled-admin", "why");
    end(tx, pending, "expired", null);
    t.same(types(tx.effects), ["ShowScreen:cancelled", "RevokeTickets", "RequestEnded"], "the second end is a no-op");
    t.equal(screens(tx.effects)[0]?.reply, "r7");
    t.match(tx.effects[2], { type: "RequestEnded", id: pending.id, reason: "cancelled-admin", detail: "why" });
    t.equal(tx.size, 0);
});

t.test("failPending: Service Failure, and the request it replaced comes back", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const old = h.requests()[0]!;
    const tx = h.tx();
    tx.remove(old);
    const replacing = { ...old, id: "cb-9", seq: 9, phase: "pending" as const, replaces: old, reply: "r1" };
    tx.add(replacing);
    failPending(tx, replacing, "disk full");
    t.same(types(tx.effects), ["ShowScreen:serviceFailure", "RevokeTickets", "RequestEnded"]);
    t.equal(tx.get(old.id), old, "the old request is back");
    t.equal(tx.get("cb-9"), undefined);
    t.match(tx.effects[2], { reason: "persist-failed", detail: "disk full" });
});

t.test("dropOffer removes the offer and revokes its tickets", async (t) => {
    const h = new Harness();
    const x = h.offered();
    const tx = h.tx();
    dropOffer(tx, x);
    t.equal(tx.offer(x.id), undefined);
    t.same(tx.effects, [{ type: "RevokeTickets", ref: x.id }]);
});

t.test("faultResult keeps the state, raises service.failure once and answers the phone", async (t) => {
    const state = initialState();
    const press = new Harness().view.press("SEPA", "1002", "busy", 5000);
    const first = faultResult(state, press, 5000, new Error("boom"));
    t.equal(first.state.now, 5000);
    t.same(first.state.alarms, [ENGINE_ALARMS.failure]);
    t.same(types(first.effects), ["Alarm", "ShowScreen:serviceFailure"]);
    const again = faultResult(first.state, { type: "PhoneAction", ref: "x", action: "ok", reply: "r2" }, 6000, "s");
    t.same(types(again.effects), ["ShowScreen:serviceFailure"], "raised once");
    t.match(again.effects[0], { device: "", ip: null, reply: "r2" });
    t.same(faultResult(state, { type: "Tick" }, 1, null).effects.length, 1, "a tick has no phone to answer");
});
