/** Actions on a request from outside the wire, room by room: Cancel, OK on "already active", admin cancel. */
import t from "tap";
import { DEFAULT_ENGINE_OPTIONS, resolveOptions } from "../../src/callback/options.js";
import { adminCancel, phoneCancel, phoneOk } from "../../src/callback/phoneActions.js";
import { ended, Harness, screens, types } from "./helpers.js";

const o = resolveOptions(DEFAULT_ENGINE_OPTIONS);

t.test("Cancel: the caller's request ends; anything else is answered, not obeyed", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const stranger = h.tx();
    phoneCancel(stranger, { type: "PhoneAction", ref: "cb-1", action: "cancel", device: "SEPB", reply: "r1" });
    t.same(screens(stranger.effects), [
        {
            type: "ShowScreen",
            device: "SEPB",
            ip: "10.0.0.2",
            kind: "requestInvalid",
            params: {},
            actions: [],
            ref: null,
            reply: "r1",
        },
    ]);
    const unknown = h.tx();
    phoneCancel(unknown, { type: "PhoneAction", ref: "cb-9", action: "cancel" });
    t.same(types(unknown.effects), ["ShowScreen:notActive"]);
    const mine = h.tx();
    phoneCancel(mine, { type: "PhoneAction", ref: "cb-1", action: "cancel", device: "SEPA", reply: "r2" });
    t.same(types(mine.effects), ["RevokeTickets", "RequestEnded", "ShowScreen:cancelled"]);
    t.equal(ended(mine.effects)[0]?.reason, "cancelled-phone");
});

t.test("OK on an offer: the old request makes way for a pending new one", async (t) => {
    const h = new Harness();
    const x = h.offered();
    const invalid = h.tx();
    phoneOk(o, invalid, { type: "PhoneAction", ref: "of-9", action: "ok", reply: "r1" });
    t.same(types(invalid.effects), ["ShowScreen:requestInvalid"]);
    const tx = h.tx();
    phoneOk(o, tx, { type: "PhoneAction", ref: x.id, action: "ok", device: "SEPA", reply: "r2" });
    t.same(types(tx.effects), ["RevokeTickets"], "the offer's tickets; the answer waits for durability");
    const made = tx.all();
    t.same(
        made.map((r) => [r.calledDn, r.phase, r.replaces?.id ?? null, r.reply]),
        [["1003", "pending", "cb-1", "r2"]],
    );
});

t.test("admin cancel: a result either way", async (t) => {
    const h = new Harness();
    h.activate("SEPA", "1001", "1002");
    const missing = h.tx();
    adminCancel(missing, { type: "AdminCancel", id: "cb-9", reply: "m1" });
    t.same(missing.effects, [{ type: "AdminResult", id: "cb-9", reply: "m1", ok: false, code: "NOT_FOUND" }]);
    const tx = h.tx();
    adminCancel(tx, { type: "AdminCancel", id: "cb-1", reason: "test" });
    t.same(types(tx.effects), ["RevokeTickets", "RequestEnded", "ShowScreen:cancelled", "AdminResult"]);
    t.match(ended(tx.effects)[0], { reason: "cancelled-admin", detail: "test" });
});
