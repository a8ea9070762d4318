/**
 * Actions on a request from outside the wire: the box's softkeys on a phone's screen (Cancel, and OK on
 * "already active", which re-checks and replaces the old request), and the administrator's cancel (MQTT,
 * console). Each names a request or an offer by its ref; an action on anything else is answered, not obeyed.
 */
import { capacityOk, create, offer, refusal } from "./activation.js";
import type { ResolvedOptions } from "./options.js";
import { dropOffer, end, refuse, screen, strangerOf } from "./outcomes.js";
import { serviceDown } from "./refusals.js";
import type { Tx } from "./tx.js";
import type { AdminCancelInput, CallBackRequest, CallerInfo, PhoneActionInput } from "./types.js";

/** Cancel on a request's screen: the request ends, or the phone hears why nothing happened. */
export function phoneCancel(tx: Tx, a: PhoneActionInput): void {
    const r = tx.get(a.ref);
    if (r === undefined || (a.device !== undefined && a.device !== r.caller.device)) {
        screen(tx, strangerOf(tx, a.device ?? r?.caller.device ?? ""), {
            kind: r === undefined && tx.offer(a.ref) === undefined ? "notActive" : "requestInvalid",
            reply: a.reply ?? null,
        });
        return;
    }
    end(tx, r, "cancelled-phone", null);
    screen(tx, r.caller, { kind: "cancelled", params: { dn: r.calledDn }, reply: a.reply ?? null });
}

/** OK on "already active": re-check, then replace the old request by the new one (atomically persisted). */
export function phoneOk(o: ResolvedOptions, tx: Tx, a: PhoneActionInput): void {
    const x = tx.offer(a.ref);
    const reply = a.reply ?? null;
    if (x === undefined || (a.device !== undefined && a.device !== x.caller.device)) {
        screen(tx, strangerOf(tx, a.device ?? x?.caller.device ?? ""), { kind: "requestInvalid", reply });
        return;
    }
    dropOffer(tx, x);
    const dev = tx.view.device(x.caller.device);
    const caller: CallerInfo = { ...x.caller, ip: dev?.ip ?? x.caller.ip, model: dev?.model ?? x.caller.model };
    const down = serviceDown(tx.view);
    if (down !== null) {
        refuse(tx, caller, "serviceUnavailable", {}, down, reply);
        return;
    }
    const refused = refusal(o, tx, caller, x.calledDn);
    if (refused !== null) {
        refuse(tx, caller, refused.kind, { dn: x.calledDn }, refused.why, reply);
        return;
    }
    const old = tx.get(x.replaces) ?? null;
    const others = tx.ofCaller(caller.device).filter((r) => r !== old);
    const same = others.find((r) => r.calledDn === x.calledDn);
    if (same !== undefined) {
        screen(tx, caller, {
            kind: "activated",
            params: { dn: x.calledDn },
            actions: ["cancel"],
            ref: same.id,
            reply,
        });
        return;
    }
    const ask = { caller, dn: x.calledDn, trigger: x.trigger, heard: x.heard };
    if (others.length >= o.maxActivePerCaller) {
        offer(o, tx, ask, others[0]!, a.reply);
        return;
    }
    if (!capacityOk(o, tx, caller, x.calledDn, old, a.reply)) return;
    let replaced: CallBackRequest | null = null;
    if (old !== null) {
        tx.remove(old);
        replaced = { ...old, replaces: null };
    }
    create(o, tx, ask, reply, replaced);
}

/** The administrator cancels a request: it ends, the caller is told, and the command gets its result. */
export function adminCancel(tx: Tx, input: AdminCancelInput): void {
    const r = tx.get(input.id);
    if (r === undefined) {
        tx.emit({ type: "AdminResult", id: input.id, reply: input.reply, ok: false, code: "NOT_FOUND" });
        return;
    }
    end(tx, r, "cancelled-admin", input.reason ?? null);
    screen(tx, r.caller, { kind: "cancelled", params: { dn: r.calledDn } });
    tx.emit({ type: "AdminResult", id: input.id, reply: input.reply, ok: true, code: "OK" });
}
