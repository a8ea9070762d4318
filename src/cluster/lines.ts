/**
 * Lines and numbers: the line map of each device, the directory (DN → lines), line and DN state and the
 * LineStateChanged events, forwarding, and the uncertainty a gap leaves on lines.
 */
import type { SccpFields } from "../sccp/codec.js";
import {
    type Device,
    emit,
    type Line,
    learned,
    MAX_LINE_INSTANCE,
    type ModelState,
    num,
    sameForwarding,
    text,
} from "./state.js";
import type { DnState, ForwardingView } from "./types.js";

/** What a call state means for its line: 0 no call, 1 ringing, 2 in use. States above 18 count as in use. */
const STATE_CLASS = Uint8Array.from([0, 2, 0, 2, 1, 2, 2, 2, 2, 1, 2, 0, 2, 2, 2, 2, 2, 2, 0]);

export function line(s: ModelState, d: Device, instance: number, uncertainIfNew: boolean): Line | null {
    if (instance <= 0 || instance > MAX_LINE_INSTANCE) return null;
    let l = d.lines[instance];
    if (l === undefined) {
        l = {
            device: d,
            instance,
            dn: null,
            dnSource: null,
            displayName: null,
            label: null,
            forwarding: null,
            learnedAt: null,
            calls: [],
            uncertain: uncertainIfNew && d.uncertain,
            state: "unknown",
        };
        d.lines[instance] = l;
        learned(s, d);
        l.state = lineState(l);
    }
    return l;
}

export function onLineStat(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const l = line(s, d, num(f, "lineNumber") ?? 0, false);
    if (l === null) return;
    const displayName = text(f, "lineFullyQualifiedDisplayName");
    const label = text(f, "lineTextLabel");
    if (l.displayName !== displayName || l.label !== label) {
        l.displayName = displayName;
        l.label = label;
        learned(s, l.device);
    }
    if (!l.calls.some((c) => c.uncertain)) l.uncertain = false;
    recoverDevice(d);
    setLineDn(s, l, text(f, "lineDirNumber"), "linestat", ts);
    lineChanged(s, l, ts);
}

export function setLineDn(
    s: ModelState,
    l: Line,
    dn: string | null,
    source: "linestat" | "callinfo" | null,
    ts: number,
): void {
    const dnSource = dn === null ? null : source;
    if (l.dnSource !== dnSource) {
        l.dnSource = dnSource;
        learned(s, l.device);
    }
    if (l.dn === dn) return;
    learned(s, l.device);
    l.learnedAt = dn === null ? null : ts;
    const old = l.dn;
    unlistDn(s, l);
    l.dn = dn;
    listDn(s, l);
    if (old !== null) touchDn(s, old, ts);
    if (dn !== null) touchDn(s, dn, ts);
}

/** Adds a line to the directory under its number. */
export function listDn(s: ModelState, l: Line): void {
    if (l.dn === null) return;
    const list = s.directory.get(l.dn);
    if (list === undefined) s.directory.set(l.dn, [l]);
    else list.push(l);
}

/** Removes a line from the directory. */
export function unlistDn(s: ModelState, l: Line): void {
    if (l.dn === null) return;
    const list = s.directory.get(l.dn);
    if (list === undefined) return;
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) s.directory.delete(l.dn);
}

export function onForward(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const l = line(s, d, num(f, "lineNumber") ?? 0, false);
    if (l === null) return;
    const pick = (flag: string, n: string): string | null => ((num(f, flag) ?? 0) !== 0 ? text(f, n) : null);
    const to: ForwardingView = {
        all: pick("forwardAllActive", "forwardAllNumber"),
        busy: pick("forwardBusyActive", "forwardBusyNumber"),
        noAnswer: pick("forwardNoAnswerActive", "forwardNoAnswerNumber"),
    };
    const from = l.forwarding;
    if (sameForwarding(from, to)) return;
    l.forwarding = to;
    learned(s, l.device);
    if (from === null && to.all === null && to.busy === null && to.noAnswer === null) return;
    emit(s, {
        type: "ForwardingChanged",
        t: ts,
        device: d.key,
        name: d.name,
        line: l.instance,
        dn: l.dn,
        from,
        to,
    });
}

/** A line is certain again once none of its calls is uncertain. */
export function recoverLine(s: ModelState, l: Line, ts: number): void {
    if (!l.uncertain || l.calls.some((c) => c.uncertain)) return;
    l.uncertain = false;
    recoverDevice(l.device);
    lineChanged(s, l, ts);
}

export function recoverDevice(d: Device): void {
    if (!d.uncertain) return;
    for (const l of d.lines) if (l?.uncertain) return;
    d.uncertain = false;
}

export function markUncertain(s: ModelState, d: Device, ts: number): void {
    d.uncertain = true;
    for (const l of d.lines) {
        if (!l) continue;
        l.uncertain = true;
        for (const c of l.calls) c.uncertain = true;
        lineChanged(s, l, ts);
    }
}

export function lineState(l: Line): DnState {
    if (l.device.registration !== "registered") return "unknown";
    let ringing = false;
    let unknown = l.uncertain;
    for (const c of l.calls) {
        if (c.uncertain || c.state === null) {
            unknown = true;
            continue;
        }
        const cls = c.state < STATE_CLASS.length ? STATE_CLASS[c.state]! : 2;
        if (cls === 2) return "busy";
        if (cls === 1) ringing = true;
    }
    return ringing ? "ringing" : unknown ? "unknown" : "idle";
}

export function lineChanged(s: ModelState, l: Line, ts: number): void {
    const next = lineState(l);
    if (next === l.state) return;
    l.state = next;
    if (l.dn !== null) touchDn(s, l.dn, ts);
}

export function linesChanged(s: ModelState, d: Device, ts: number): void {
    for (const l of d.lines) if (l) lineChanged(s, l, ts);
}

export function computeDn(
    s: ModelState,
    dn: string,
): { state: DnState; uncertain: boolean; source: "sccp" | "cti" | null } {
    const lines = s.directory.get(dn);
    let seen = false;
    let ringing = false;
    let unknown = false;
    let uncertain = false;
    if (lines !== undefined) {
        for (const l of lines) {
            if (l.device.registration !== "registered") continue;
            seen = true;
            if (l.uncertain || l.calls.some((c) => c.uncertain)) uncertain = true;
            if (l.state === "busy") return { state: "busy", uncertain, source: "sccp" };
            if (l.state === "ringing") ringing = true;
            else if (l.state === "unknown") unknown = true;
        }
    }
    if (seen) return { state: ringing ? "ringing" : unknown ? "unknown" : "idle", uncertain, source: "sccp" };
    const cti = s.cti.dnState(dn);
    if (cti !== null && cti.state !== "unknown") return { state: cti.state, uncertain: false, source: "cti" };
    return { state: "unknown", uncertain: false, source: null };
}

export function touchDn(s: ModelState, dn: string, ts: number): void {
    const { state, uncertain } = computeDn(s, dn);
    const prev = s.dnStates.get(dn) ?? "unknown";
    if (state === prev) return;
    if (state === "unknown") s.dnStates.delete(dn);
    else s.dnStates.set(dn, state);
    emit(s, { type: "LineStateChanged", t: ts, dn, from: prev, to: state, uncertain });
}
