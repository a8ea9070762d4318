/**
 * Calls and legs: calls per (line, callRef) from CallState and CallInfo, their end, and the matching of
 * the two legs of a call between two observed phones.
 */
import type { SccpFields } from "../sccp/codec.js";
import { line, lineChanged, recoverLine, setLineDn } from "./lines.js";
import {
    BUTTON_LINE,
    type Call,
    type Device,
    fact,
    type Line,
    learned,
    MAX_CALLS_PER_LINE,
    type ModelState,
    num,
    oldForm,
    PENDING_INFO_S,
    STATE_BUSY,
    STATE_CONNECTED,
    STATE_HOLD,
    STATE_OFFHOOK,
    STATE_ONHOOK,
    STATE_RINGIN,
    text,
} from "./state.js";
import { callView } from "./views.js";

export function onButtons(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const defs = f.definition;
    if (!Array.isArray(defs)) return;
    const seen = new Set<number>();
    for (const e of defs) {
        if (typeof e !== "object" || e === null) continue;
        const rec = e as SccpFields;
        if (num(rec, "buttonDefinition") === BUTTON_LINE) {
            const inst = num(rec, "instanceNumber") ?? 0;
            if (line(s, d, inst, false) !== null) seen.add(inst);
        }
    }
    // A complete template replaces the line set.
    if ((num(f, "buttonOffset") ?? 0) === 0 && num(f, "buttonCount") === num(f, "totalButtonCount")) {
        for (const l of d.lines) if (l && !seen.has(l.instance)) removeLine(s, l, ts);
    }
}

export function removeLine(s: ModelState, l: Line, ts: number): void {
    setLineDn(s, l, null, null, ts);
    for (const c of [...l.calls]) endCall(s, c, ts);
    l.device.lines[l.instance] = undefined;
    learned(s, l.device);
}

export function findCall(d: Device, li: number, ref: number): Call | null {
    if (li > 0) {
        const l = d.lines[li];
        if (l !== undefined) for (const c of l.calls) if (c.callRef === ref) return c;
        if (ref === 0) return null;
    }
    for (const l of d.lines) if (l) for (const c of l.calls) if (c.callRef === ref) return c;
    return null;
}

/** The call a message without (line, callRef) is about: the most recent one not on hold, else any. */
export function activeCall(d: Device): Call | null {
    let best: Call | null = null;
    for (const l of d.lines) {
        if (!l) continue;
        for (const c of l.calls) {
            if (best === null) best = c;
            else {
                const bh = best.state === STATE_HOLD;
                const ch = c.state === STATE_HOLD;
                if ((bh && !ch) || (bh === ch && c.stateSince >= best.stateSince)) best = c;
            }
        }
    }
    return best;
}

/** The call of a message's (line, callRef), or the active call for old forms. */
export function target(d: Device, li: number | undefined, ref: number | undefined): Call | null {
    if (li === undefined || ref === undefined || ref === 0) {
        if (li !== undefined && li > 0) {
            const l = d.lines[li];
            const c = l?.calls[l.calls.length - 1];
            if (c !== undefined) return c;
        }
        return activeCall(d);
    }
    return findCall(d, li, ref);
}

export function newCall(
    s: ModelState,
    l: Line,
    ref: number,
    state: number | null,
    source: "callstate" | "derived",
    ts: number,
): Call {
    if (s.callCount >= s.maxCalls) evictCalls(s, ts);
    if (l.calls.length >= MAX_CALLS_PER_LINE) {
        endCall(s, l.calls[0]!, ts);
        s.counters.callsEvicted++;
    }
    const c: Call = {
        line: l,
        callRef: ref,
        state,
        source,
        direction: state === STATE_RINGIN ? "inbound" : state === STATE_OFFHOOK ? "outbound" : "unknown",
        callingParty: null,
        callingPartyName: null,
        calledParty: null,
        calledPartyName: null,
        originalCalledParty: null,
        lastRedirectingParty: null,
        dialed: null,
        tone: null,
        lastProgressTone: null,
        busySeen: state === STATE_BUSY,
        softKeySet: null,
        startedAt: ts,
        stateSince: ts,
        connectedAt: state === STATE_CONNECTED ? ts : null,
        uncertain: state === null,
        peer: null,
        legKeys: null,
    };
    l.calls.push(c);
    s.callCount++;
    const p = l.device.pendingInfo;
    if (p !== null) {
        l.device.pendingInfo = null;
        if (source === "derived" && ts - p.ts <= PENDING_INFO_S) applyCallInfo(s, c, p.f, ts);
    }
    return c;
}

export function evictCalls(s: ModelState, ts: number): void {
    const all: Call[] = [];
    for (const d of s.devices.values()) for (const l of d.lines) if (l) for (const c of l.calls) all.push(c);
    all.sort((a, b) => a.stateSince - b.stateSince);
    const n = Math.max(1, all.length >> 4);
    for (let i = 0; i < n; i++) {
        endCall(s, all[i]!, ts);
        s.counters.callsEvicted++;
    }
}

export function setState(s: ModelState, c: Call, state: number, source: "callstate" | "derived", ts: number): void {
    const changed = c.state !== state || c.uncertain;
    c.state = state;
    c.source = source;
    c.uncertain = false;
    if (changed) c.stateSince = ts;
    if (state === STATE_CONNECTED && c.connectedAt === null) c.connectedAt = ts;
    if (state === STATE_BUSY) c.busySeen = true;
    if (c.direction === "unknown") {
        if (state === STATE_RINGIN) c.direction = "inbound";
        else if (state === STATE_OFFHOOK) c.direction = "outbound";
    }
    lineChanged(s, c.line, ts);
}

export function endCall(s: ModelState, c: Call, ts: number): void {
    const l = c.line;
    const i = l.calls.indexOf(c);
    if (i < 0) return;
    l.calls.splice(i, 1);
    s.callCount--;
    s.counters.callsEnded++;
    unindexLeg(s, c);
    if (s.recentCap > 0) {
        const v = callView(c);
        v.endedAt = ts;
        s.recent.push(v);
        if (s.recent.length > s.recentCap) s.recent.shift();
    }
    if (c.peer !== null) {
        c.peer.peer = null;
        c.peer = null;
    }
    lineChanged(s, l, ts);
}

export function endAllCalls(s: ModelState, d: Device, ts: number): void {
    for (const l of d.lines) if (l) for (const c of [...l.calls]) endCall(s, c, ts);
}

export function onCallState(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const state = num(f, "callState") ?? 0;
    const li = num(f, "lineInstance") ?? 0;
    const ref = num(f, "callReference") ?? 0;
    if (d.mode !== "callstate") {
        // The CallManager does send CallState: drop what was derived from hook and lamps.
        fact(s, d, "mode", "callstate");
        for (const l of d.lines) if (l) for (const c of [...l.calls]) if (c.source === "derived") endCall(s, c, ts);
    }
    const l = line(s, d, li, true);
    if (l === null) return;
    let call: Call | null = null;
    for (const c of l.calls) if (c.callRef === ref) call = c;
    if (state === STATE_ONHOOK || state === 0) {
        if (call !== null) endCall(s, call, ts);
        recoverLine(s, l, ts);
        return;
    }
    if (call === null) call = newCall(s, l, ref, state, "callstate", ts);
    setState(s, call, state, "callstate", ts);
    recoverLine(s, l, ts);
}

export function onCallInfo(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const li = num(f, "lineInstance");
    const ref = num(f, "callReference");
    let call: Call | null;
    if (li === undefined || ref === undefined) {
        oldForm(s, d);
        call = activeCall(d);
        if (call === null) {
            // Kept for the call the ringer, lamp or hook is about to start.
            d.pendingInfo = { f, ts };
            return;
        }
    } else {
        const l = line(s, d, li, true);
        if (l === null) return;
        call = null;
        for (const c of l.calls) if (c.callRef === ref) call = c;
        if (call === null) {
            call = newCall(s, l, ref, null, d.mode === "callstate" ? "callstate" : "derived", ts);
            lineChanged(s, l, ts);
        }
    }
    applyCallInfo(s, call, f, ts);
}

export function applyCallInfo(s: ModelState, call: Call, f: SccpFields, ts: number): void {
    call.callingParty = text(f, "callingParty");
    call.callingPartyName = text(f, "callingPartyName");
    call.calledParty = text(f, "calledParty");
    call.calledPartyName = text(f, "calledPartyName");
    call.originalCalledParty = text(f, "originalCalledParty") ?? call.originalCalledParty;
    call.lastRedirectingParty = text(f, "lastRedirectingParty") ?? call.lastRedirectingParty;
    const type = num(f, "callType");
    if (type === 1) call.direction = "inbound";
    else if (type === 2) call.direction = "outbound";
    else if (type === 3) call.direction = "forwarded";
    const l = call.line;
    if (l.dn === null) {
        const own = type === 2 ? call.callingParty : type === 1 || type === 3 ? call.calledParty : null;
        if (own !== null) setLineDn(s, l, own, "callinfo", ts);
    }
    matchLeg(s, call, ts);
}

export function legKeysOf(c: Call): string[] {
    const from = c.callingParty;
    if (from === null) return [];
    const keys: string[] = [];
    if (c.calledParty !== null) keys.push(`${from}|${c.calledParty}`);
    if (c.originalCalledParty !== null && c.originalCalledParty !== c.calledParty)
        keys.push(`${from}|${c.originalCalledParty}`);
    return keys;
}

export function matchLeg(s: ModelState, c: Call, ts: number): void {
    if (c.peer !== null) return;
    const keys = legKeysOf(c);
    for (const key of keys) {
        const list = s.legs.get(key);
        if (list === undefined) continue;
        for (const o of list) {
            if (o === c || o.line.device === c.line.device || o.peer !== null) continue;
            if (Math.abs(o.startedAt - c.startedAt) > s.legWindow) continue;
            if (o.direction === c.direction && o.direction !== "unknown") continue;
            unindexLeg(s, o);
            unindexLeg(s, c);
            o.peer = c;
            c.peer = o;
            return;
        }
    }
    if (c.legKeys !== null) unindexLeg(s, c);
    if (keys.length === 0 || ts - c.startedAt > s.legWindow) return;
    for (const key of keys) {
        const list = s.legs.get(key);
        if (list === undefined) s.legs.set(key, [c]);
        else if (list.length < MAX_CALLS_PER_LINE) list.push(c);
    }
    c.legKeys = keys;
}

export function unindexLeg(s: ModelState, c: Call): void {
    if (c.legKeys === null) return;
    for (const key of c.legKeys) {
        const list = s.legs.get(key);
        if (list === undefined) continue;
        const i = list.indexOf(c);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) s.legs.delete(key);
    }
    c.legKeys = null;
}
