/**
 * Views and summaries: the plain, serialisable answers of the model's queries (built fresh each time).
 */
import { type Missing, missingFacts, modelOf } from "./knowledge.js";
import { computeDn } from "./lines.js";
import {
    callBackInSet,
    SET_CONNECTED_TRANSFER,
    SET_ON_HOOK,
    SET_RING_OUT,
    type SoftKeySets,
    type SoftKeyTemplate,
} from "./softkeys.js";
import { active, type Call, type Device, type Line, type ModelState, stateName } from "./state.js";
import { phoneTimeAt } from "./time.js";
import type {
    CallView,
    ClusterStats,
    CtiStatus,
    DeviceView,
    DnState,
    DnView,
    ForwardingView,
    LineView,
    LinkView,
    PhoneTimeView,
} from "./types.js";

/** Earliest capture time at which `tick` would unregister a device, or null. */
export function nextDeadline(s: ModelState): number | null {
    let next: number | null = null;
    for (const d of s.devices.values()) {
        if (!active(d.registration)) continue;
        const at = d.lastPhoneRx + s.kaMultiple * (d.keepAliveS ?? s.kaDefault);
        if (next === null || at < next) next = at;
    }
    return next;
}

/** A device by key (device name, or "@ip" for a device whose name is not known). */
export function device(s: ModelState, key: string): DeviceView | null {
    const d = s.devices.get(key);
    return d === undefined ? null : deviceView(s, d);
}

/** A device's name and model only: cheap, for the hot path of a push (device() builds the whole view). */
export function deviceIdentity(s: ModelState, key: string): { name: string | null; model: string | null } | null {
    const d = s.devices.get(key);
    return d === undefined ? null : { name: d.name, model: modelOf(d.deviceType).model };
}

/** The device at a phone IP address. */
export function deviceByIp(s: ModelState, ip: string): DeviceView | null {
    const d = s.byIp.get(ip);
    return d === undefined ? null : deviceView(s, d);
}

/** Every device (sorted by key). */
export function allDevices(s: ModelState): DeviceView[] {
    return [...s.devices.keys()].sort().map((k) => deviceView(s, s.devices.get(k)!));
}

/** A directory number across its devices (always answers; `known` says whether it is in the cluster). */
export function dn(s: ModelState, dn: string): DnView {
    const { state, uncertain, source } = computeDn(s, dn);
    const lines = s.directory.get(dn) ?? [];
    let forwarding: ForwardingView | null = null;
    for (const l of lines)
        if (l.forwarding !== null && (forwarding === null || l.forwarding.all !== null))
            forwarding = { ...l.forwarding };
    const cti = s.cti.dnState(dn);
    return {
        dn,
        state,
        uncertain,
        stateSource: source,
        known: isKnownDn(s, dn),
        devices: lines.map((l) => ({
            device: l.device.key,
            name: l.device.name,
            line: l.instance,
            registration: l.device.registration,
            state: l.state,
        })),
        forwarding,
        static: (s.staticByDn.get(dn) ?? []).map((e) => ({ ...e })),
        cti,
    };
}

/** State of a DN (the same value LineStateChanged reports). */
export function dnState(s: ModelState, dn: string): DnState {
    return computeDn(s, dn).state;
}

/** True when the DN is in this cluster as far as the box knows: observed, static directory, or CTI. */
export function isKnownDn(s: ModelState, dn: string): boolean {
    return s.directory.has(dn) || s.staticByDn.has(dn) || s.cti.dns.has(dn);
}

/**
 * True when the box can watch the DN: a device with it on a line was seen on the wire (SCCP), or CTI line
 * events of it (an open line or its calls) were seen. A number known only from the static directory is not.
 */
export function isObservableDn(s: ModelState, dn: string): boolean {
    return s.directory.has(dn) || s.cti.dns.has(dn);
}

/** Every DN the model knows of (sorted). */
export function allDns(s: ModelState): string[] {
    const all = new Set<string>([...s.directory.keys(), ...s.staticByDn.keys(), ...s.cti.dns.keys()]);
    return [...all].sort();
}

/** Live calls of every device. */
export function liveCalls(s: ModelState): CallView[] {
    const out: CallView[] = [];
    for (const d of s.devices.values()) for (const l of d.lines) if (l) for (const c of l.calls) out.push(callView(c));
    return out;
}

/** The most recently ended calls (oldest first). */
export function recentCalls(s: ModelState): CallView[] {
    return s.recent.map((c) => ({ ...c }));
}

/** The phone's local time at capture time `now`, or null when the phone's clock was never seen. */
export function phoneTime(s: ModelState, key: string, now: number): PhoneTimeView | null {
    const d = s.devices.get(key);
    if (d === undefined || d.clock === null) return null;
    return phoneTimeAt(d.clock, now, d.dateTemplate);
}

/** CTI condition and sessions. */
export function ctiStatus(s: ModelState): {
    status: CtiStatus;
    sessions: { session: string; state: string; since: number; reason: string | null }[];
} {
    return { status: s.cti.status(), sessions: s.cti.sessionList() };
}

/** The Call Back configuration checklist: phones whose template lacks CallBack in On Hook or Ring Out. */
export function softKeyChecklist(s: ModelState): {
    device: string;
    name: string | null;
    model: string | null;
    onHook: boolean | null;
    ringOut: boolean | null;
}[] {
    const out = [];
    for (const d of s.devices.values()) {
        const { template, sets } = softKeysOf(s, d);
        const onHook = callBackInSet(template, sets, SET_ON_HOOK);
        const ringOut = callBackInSet(template, sets, SET_RING_OUT);
        if (onHook === true && ringOut === true) continue;
        out.push({ device: d.key, name: d.name, model: modelOf(d.deviceType).model, onHook, ringOut });
    }
    return out.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}

/** CallManagers seen, with how many devices have an up primary or standby link to each (sorted). */
export function callManagers(s: ModelState): { cm: string; primary: number; standby: number }[] {
    const by = new Map<string, { cm: string; primary: number; standby: number }>();
    for (const d of s.devices.values()) {
        for (const l of d.links) {
            if (l.state !== "up") continue;
            let e = by.get(l.cm);
            if (e === undefined) {
                e = { cm: l.cm, primary: 0, standby: 0 };
                by.set(l.cm, e);
            }
            if (l === d.primary) e.primary++;
            else if (l.role === "standby") e.standby++;
        }
    }
    return [...by.values()].sort((a, b) => (a.cm < b.cm ? -1 : 1));
}

/** Counters and sizes. */
export function stats(s: ModelState): ClusterStats {
    return {
        ...s.counters,
        devices: s.devices.size,
        calls: s.callCount,
        connections: s.conns.size,
        dns: s.directory.size,
    };
}

export function missing(s: ModelState, d: Device): Missing[] {
    return missingFacts(
        softKeysOf(s, d).template !== null,
        d.lines.filter((l): l is Line => l !== undefined),
        modelOf(d.deviceType).hasSoftkeys,
    );
}

export function softKeysOf(
    s: ModelState,
    d: Device,
): {
    template: SoftKeyTemplate | null;
    sets: SoftKeySets | null;
    source: "device" | "cm" | null;
} {
    if (d.template !== null) return { template: d.template, sets: d.sets, source: "device" };
    const cm = d.primary?.cm ?? d.links[0]?.cm;
    const e = cm === undefined ? undefined : s.cmSoftKeys.get(cm);
    if (e === undefined || e.template === null) return { template: null, sets: null, source: null };
    return { template: e.template, sets: e.sets, source: "cm" };
}

export function callView(c: Call): CallView {
    const p = c.peer;
    return {
        device: c.line.device.key,
        line: c.line.instance,
        callRef: c.callRef,
        state: c.state,
        stateName: stateName(c.state),
        source: c.source,
        direction: c.direction,
        callingParty: c.callingParty,
        callingPartyName: c.callingPartyName,
        calledParty: c.calledParty,
        calledPartyName: c.calledPartyName,
        originalCalledParty: c.originalCalledParty,
        lastRedirectingParty: c.lastRedirectingParty,
        dialed: c.dialed,
        tone: c.tone,
        lastProgressTone: c.lastProgressTone,
        busySeen: c.busySeen,
        softKeySet: c.softKeySet,
        startedAt: c.startedAt,
        stateSince: c.stateSince,
        connectedAt: c.connectedAt,
        endedAt: null,
        uncertain: c.uncertain,
        peer: p === null ? null : { device: p.line.device.key, line: p.line.instance, callRef: p.callRef },
    };
}

export function lineView(l: Line): LineView {
    return {
        instance: l.instance,
        dn: l.dn,
        dnSource: l.dnSource,
        displayName: l.displayName,
        label: l.label,
        state: l.state,
        uncertain: l.uncertain,
        forwarding: l.forwarding === null ? null : { ...l.forwarding },
        calls: l.calls.map((c) => callView(c)),
    };
}

export function deviceView(s: ModelState, d: Device): DeviceView {
    const { model, softkey } = modelOf(d.deviceType);
    const sk = softKeysOf(s, d);
    const t = sk.template;
    const links: LinkView[] = d.links.map((l) => ({
        cm: l.cm,
        role: l.role,
        state: l.state,
        since: l.since,
        lastSeen: l.lastSeen,
        keepAlives: l.keepAlives,
        attempts: l.attempts,
    }));
    return {
        key: d.key,
        name: d.name,
        mac: d.mac,
        ip: d.ip,
        stationIp: d.stationIp,
        deviceType: d.deviceType,
        model,
        supportsCallBackSoftkey: softkey,
        firmware: d.firmware,
        protocolVersion: d.protocolVersion,
        cmProtocolVersion: d.cmProtocolVersion,
        headerVersion: d.headerVersion,
        registration: d.registration,
        inferred: d.inferred,
        registeredAt: d.registeredAt,
        unregisteredReason: d.unregisteredReason,
        keepAliveS: d.keepAliveS,
        secondaryKeepAliveS: d.secondaryKeepAliveS,
        dateTemplate: d.dateTemplate,
        userName: d.userName,
        serverName: d.serverName,
        cm: d.primary !== null && d.primary.state === "up" ? d.primary.cm : null,
        lastSeen: d.lastSeen,
        uncertain: d.uncertain || d.lines.some((l) => l?.uncertain === true),
        callStateMode: d.mode,
        links,
        lines: d.lines.filter((l): l is Line => l !== undefined).map((l) => lineView(l)),
        softKeys: {
            source: sk.source,
            callBackEvent: t?.callBackEvent ?? null,
            callBackInOnHook: callBackInSet(t, sk.sets, SET_ON_HOOK),
            callBackInRingOut: callBackInSet(t, sk.sets, SET_RING_OUT),
            callBackInConnectedTransfer: callBackInSet(t, sk.sets, SET_CONNECTED_TRANSFER),
            keys:
                t === null ? [] : t.events.map((event, i) => ({ event, label: t.labels[i]!, labelCode: t.codes[i]! })),
        },
        phoneTime: d.clock === null ? null : phoneTimeAt(d.clock, d.lastSeen, d.dateTemplate),
        ctiRegistered: d.name === null ? null : (s.cti.devices.get(d.name) ?? null),
        static: d.name === null ? [] : (s.staticByName.get(d.name) ?? []).map((e) => ({ ...e })),
        knowledge: {
            learnedBy: d.learnedBy,
            learnedAt: d.learnedAt,
            restored: d.restored,
            seenAt: d.seenAt,
            missing: d.seenAt !== null ? missing(s, d) : [],
        },
    };
}
