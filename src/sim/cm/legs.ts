/**
 * Legs: one call reference on one line appearance. Finding a device's legs, adding and removing them
 * (each change is a `leg` event for the CTIManager), tones and call state on a leg, the "in use remote"
 * hints of shared lines, CallInfo and media channels. No switching decisions here.
 */
import type { CallInfoData, CmWire, MediaData } from "../dialect.js";
import { Label, label } from "../ids.js";
import { CallState, SoftKeySet } from "../types.js";
import { type Appearance, type Call, type CmState, type Device, type Leg, type LegRole, newRef } from "./state.js";

export function wireOf(leg: Leg): CmWire | null {
    const c = leg.app.device.conn;
    return c?.registered === true ? c.wire : null;
}

/** The leg the device is "in": off hook, dialing, ringing out or connected (not held, not ringing in). */
export function activeLeg(d: Device): Leg | null {
    for (const app of d.apps)
        for (const l of app.legs) {
            if (l.role === "hint" || l.held) continue;
            if (l.role === "term" && l.state === CallState.RingIn) continue;
            return l;
        }
    return null;
}

export function ringingLeg(d: Device, ref: number): Leg | null {
    for (const app of d.apps)
        for (const l of app.legs)
            if (l.role === "term" && l.state === CallState.RingIn && (ref === 0 || l.ref === ref)) return l;
    return null;
}

export function legByRef(d: Device, ref: number): Leg | null {
    if (ref === 0) return null;
    for (const app of d.apps) for (const l of app.legs) if (l.ref === ref) return l;
    return null;
}

export function legCount(d: Device): number {
    let n = 0;
    for (const app of d.apps) n += app.legs.length;
    return n;
}

export function addLeg(s: CmState, app: Appearance, role: LegRole, state: number): Leg {
    const leg: Leg = {
        ref: newRef(s),
        app,
        role,
        state,
        call: null,
        digits: "",
        held: false,
        tone: 0,
        timer: null,
        media: null,
        hints: [],
        transferFrom: null,
        collected: false,
    };
    app.legs.push(leg);
    legEvent(s, leg, false);
    return leg;
}

export function legEvent(s: CmState, leg: Leg, ended: boolean): void {
    if (s.events.listenerCount("leg") === 0) return;
    const call = leg.call;
    s.events.emit("leg", {
        deviceName: leg.app.device.name,
        line: leg.app.line,
        dn: leg.app.dn.dn,
        callRef: leg.ref,
        state: ended ? CallState.OnHook : leg.state,
        ended,
        calling: call === null ? null : call.orig.app.dn.dn,
        called: call === null ? null : (call.target?.dn ?? call.dialed),
    });
}

export function removeLeg(s: CmState, leg: Leg): void {
    const i = leg.app.legs.indexOf(leg);
    if (i >= 0) {
        leg.app.legs.splice(i, 1);
        legEvent(s, leg, true);
    }
    s.clock.clearTimer(leg.timer);
    leg.timer = null;
}

export function startTone(leg: Leg, tone: number): void {
    leg.tone = tone;
    wireOf(leg)?.startTone(tone, leg.app.line, leg.ref);
}

export function stopTone(leg: Leg): void {
    leg.tone = 0;
    wireOf(leg)?.stopTone(leg.app.line, leg.ref);
}

export function setState(s: CmState, leg: Leg, state: number): void {
    leg.state = state;
    legEvent(s, leg, false);
    wireOf(leg)?.callState(state, leg.app.line, leg.ref);
}

/** Shows "in use remote" on the other devices sharing the leg's number. */
export function hintOthers(s: CmState, leg: Leg): void {
    for (const other of leg.app.dn.apps) {
        if (other.device === leg.app.device || other.device.conn?.registered !== true) continue;
        if (other.legs.some((l) => l.role !== "hint")) continue;
        const h = addLeg(s, other, "hint", CallState.CallRemoteMultiline);
        const w = wireOf(h);
        w?.callState(CallState.CallRemoteMultiline, other.line, h.ref);
        w?.selectSoftKeys(other.line, h.ref, SoftKeySet.InUseHint);
        w?.prompt(label(Label.InUseRemote), other.line, h.ref);
        leg.hints.push(h);
    }
}

export function clearHints(s: CmState, leg: Leg): void {
    for (const h of leg.hints) {
        if (!h.app.legs.includes(h)) continue;
        removeLeg(s, h);
        const w = wireOf(h);
        w?.callState(CallState.OnHook, h.app.line, h.ref);
        if (legCount(h.app.device) === 0) {
            w?.selectSoftKeys(0, 0, SoftKeySet.OnHook);
            w?.prompt(label(Label.YourCurrentOptions), 0, 0);
        }
    }
    leg.hints = [];
}

export function dropHint(s: CmState, h: Leg): void {
    removeLeg(s, h);
    wireOf(h)?.callState(CallState.OnHook, h.app.line, h.ref);
    for (const app of h.app.dn.apps) for (const l of app.legs) l.hints = l.hints.filter((x) => x !== h);
}

export function callInfo(leg: Leg, call: Call): CallInfoData {
    const o = call.orig.app.dn;
    const target = call.target;
    const calledDn = leg.role === "orig" ? (target?.dn ?? call.dialed) : leg.app.dn.dn;
    const calledName = leg.role === "orig" ? (target?.name ?? "") : leg.app.dn.name;
    const orig = call.original?.dn ?? target;
    const last = call.last?.dn ?? target;
    return {
        callingPartyName: o.name,
        callingParty: o.dn,
        calledPartyName: calledName,
        calledParty: calledDn,
        lineInstance: leg.app.line,
        callReference: leg.ref,
        callType: leg.role === "orig" ? 2 : 1,
        originalCalledPartyName: orig?.name ?? "",
        originalCalledParty: orig?.dn ?? call.dialed,
        lastRedirectingPartyName: last?.name ?? "",
        lastRedirectingParty: last?.dn ?? call.dialed,
        originalCdpnRedirectReason: call.original?.reason ?? 0,
        lastRedirectingReason: call.last?.reason ?? 0,
        callInstance: leg.app.legs.indexOf(leg) + 1,
        callSecurityStatus: call.phase === "connected" ? 1 : 0,
    };
}

export function sendInfo(leg: Leg): void {
    if (leg.call !== null) wireOf(leg)?.callInfo(callInfo(leg, leg.call));
}

export function newMedia(s: CmState, leg: Leg): MediaData {
    const c = leg.app.device.conn;
    return {
        conferenceId: leg.ref,
        passThroughPartyId: s.nextPassThrough++,
        callReference: leg.ref,
        remoteIp: c?.ip ?? "0.0.0.0",
        remotePort: c?.rtpPort ?? 16384,
    };
}

/** StartMediaTransmission on both legs towards each other. */
export function openMedia(s: CmState, a: Leg, b: Leg): void {
    if (!s.opts.media || a.media === null || b.media === null) return;
    wireOf(a)?.startMedia({ ...a.media, remoteIp: b.media.remoteIp, remotePort: b.media.remotePort });
    wireOf(b)?.startMedia({ ...b.media, remoteIp: a.media.remoteIp, remotePort: a.media.remotePort });
}

export function closeMedia(leg: Leg): void {
    if (leg.media === null) return;
    wireOf(leg)?.closeMedia(leg.media);
    leg.media = null;
}

export function peerOf(leg: Leg): Leg | null {
    const call = leg.call;
    if (call === null) return null;
    return leg === call.orig ? call.term : call.orig;
}
