/**
 * Devices and registration: connections, devices (by name or "@ip"), CallManager links (primary,
 * standby, refused), registration and its end, keepalive time-outs and knowledge past its age.
 */
import type { SccpFields } from "../sccp/codec.js";
import { TcpConnection } from "../wire/reassembly.js";
import { endAllCalls } from "./calls.js";
import { type DeviceFacts, type LearnedBy, modelOf } from "./knowledge.js";
import { linesChanged, setLineDn } from "./lines.js";
import {
    active,
    armScan,
    CLOCK_MOVED_MS,
    type Conn,
    type Device,
    dropLink,
    EXPIRY_SCAN_S,
    emit,
    fact,
    intern,
    type Link,
    learned,
    MAX_LINKS_PER_DEVICE,
    type ModelState,
    macFromField,
    macFromName,
    num,
    text,
} from "./state.js";
import { clockFromTimeDate } from "./time.js";
import type { LinkRole, LinkState, UnregisterReason } from "./types.js";

/**
 * Applies keepalive time-outs and notes the earliest future one: keepalives only move deadlines later,
 * so until then `tick` has nothing to do (whatever could bring one earlier calls `armScan`).
 */
export function scan(s: ModelState, now: number): void {
    let next = Number.POSITIVE_INFINITY;
    s.nextScan = Number.POSITIVE_INFINITY;
    for (const d of s.devices.values()) {
        if (active(d.registration)) {
            const at = d.lastPhoneRx + s.kaMultiple * (d.keepAliveS ?? s.kaDefault);
            if (now > at) unregister(s, d, "keepalive-timeout", now);
            else if (at < next) next = at;
        }
        if (d.links.length < 2) continue;
        for (const link of d.links) {
            if (link === d.primary || link.state !== "up" || link.role !== "standby") continue;
            const at = link.lastSeen + s.kaMultiple * (d.secondaryKeepAliveS ?? s.kaSecondaryDefault);
            if (now > at) setLinkState(s, d, link, "down", now, "keepalive-timeout");
            else if (at < next) next = at;
        }
    }
    if (next < s.nextScan) s.nextScan = next;
}

/** Drops the knowledge of devices not seen within the maximum age (not those registered now). */
export function expire(s: ModelState, now: number): void {
    s.nextExpiry = now + EXPIRY_SCAN_S;
    const before = now - s.maxAgeS;
    for (const d of [...s.devices.values()]) {
        if (d.lastSeen >= before || active(d.registration)) continue;
        removeDevice(s, d, now, null);
        s.counters.knowledgeExpired++;
    }
}

export function openConn(s: ModelState, conn: TcpConnection, ts: number): Conn {
    if (s.conns.size >= s.maxConns) evictConns(s);
    const c: Conn = {
        conn,
        phoneIp: conn.client.addr,
        cm: intern(TcpConnection.format(conn.server)),
        device: null,
        link: null,
        messages: 0,
        lastSeen: ts,
        firmware: null,
        uncertain: conn.midstream,
    };
    s.conns.set(conn, c);
    return c;
}

export function evictConns(s: ModelState): void {
    const all = [...s.conns.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    const n = Math.max(1, all.length >> 4);
    for (let i = 0; i < n; i++) {
        const c = all[i]!;
        s.conns.delete(c.conn);
        if (c.link !== null && c.link.conn === c) c.link.conn = null;
        s.counters.connectionsEvicted++;
    }
}

export function newDevice(
    s: ModelState,
    key: string,
    name: string | null,
    ts: number,
    learnedBy: LearnedBy = "traffic",
): Device {
    if (s.devices.size >= s.maxDevices) evictDevices(s, ts);
    learned(s);
    const d = deviceRecord({
        key,
        name,
        mac: name === null ? null : macFromName(name),
        ip: null,
        stationIp: null,
        deviceType: null,
        firmware: null,
        protocolVersion: null,
        cmProtocolVersion: null,
        keepAliveS: null,
        secondaryKeepAliveS: null,
        dateTemplate: null,
        userName: null,
        serverName: null,
        homeCm: null,
        mode: "unknown",
        template: null,
        sets: null,
        clock: null,
        learnedBy,
        learnedAt: ts,
        lastSeen: ts,
        restored: false,
    });
    d.seenAt = ts;
    s.devices.set(key, d);
    return d;
}

/** A device record: the facts given, no activity yet (not registered, no links, lines or calls). */
export function deviceRecord(facts: DeviceFacts): Device {
    return {
        ...facts,
        headerVersion: null,
        registration: "unknown",
        inferred: false,
        registeredAt: null,
        unregisteredReason: null,
        unregistering: false,
        lastPhoneRx: facts.lastSeen,
        uncertain: false,
        links: [],
        primary: null,
        lines: [],
        idleSoftKeySet: null,
        pendingInfo: null,
        seenAt: null,
        rev: 0,
        removed: false,
    };
}

/** The device of a connection, found by the phone's IP or created anonymous ("@ip"). */
export function attach(s: ModelState, c: Conn, ts: number): Device {
    let d = c.device;
    if (d === null) {
        d = deviceAt(s, c.phoneIp, ts);
        c.device = d;
        if (c.uncertain) d.uncertain = true;
        if (c.firmware !== null && d.firmware !== c.firmware) {
            d.firmware = c.firmware;
            learned(s, d);
        }
    }
    d.seenAt ??= ts;
    if (c.link === null || c.link.dropped) c.link = linkFor(d, c, ts);
    return d;
}

/** The device at a phone address, or a new anonymous one ("@ip"). */
export function deviceAt(s: ModelState, ip: string, ts: number): Device {
    const d = s.byIp.get(ip);
    if (d !== undefined && !d.removed) return d;
    const key = `@${ip}`;
    const n = s.devices.get(key) ?? newDevice(s, key, null, ts);
    n.ip = ip;
    s.byIp.set(ip, n);
    return n;
}

export function linkFor(d: Device, c: Conn, ts: number): Link {
    let link = d.links.find((l) => l.cm === c.cm);
    if (link === undefined) {
        if (d.links.length >= MAX_LINKS_PER_DEVICE) {
            const i = d.links.findIndex((l) => l !== d.primary && l.conn === null);
            dropLink(d, i >= 0 ? i : d.links.findIndex((l) => l !== d.primary));
        }
        link = {
            cm: c.cm,
            role: "unknown",
            state: "up",
            since: ts,
            lastSeen: ts,
            keepAlives: 0,
            attempts: 0,
            conn: null,
            announced: false,
            dropped: false,
        };
        d.links.push(link);
    }
    if (link.conn !== c) {
        link.conn = c;
        link.attempts++;
    }
    return link;
}

export function linkEvent(
    s: ModelState,
    d: Device,
    link: Link,
    roleFrom: LinkRole | null,
    from: LinkState | null,
    ts: number,
    reason: string,
): void {
    link.announced = true;
    emit(s, {
        type: "CallManagerLinkChanged",
        t: ts,
        device: d.key,
        name: d.name,
        ip: d.ip,
        cm: link.cm,
        roleFrom,
        role: link.role,
        from,
        to: link.state,
        reason,
    });
}

export function setLinkState(s: ModelState, d: Device, link: Link, to: LinkState, ts: number, reason: string): void {
    if (link.state === to && link.announced) return;
    if (to === "up") armScan(s);
    const from = link.announced ? link.state : null;
    const roleFrom = link.announced ? link.role : null;
    link.state = to;
    link.since = ts;
    linkEvent(s, d, link, roleFrom, from, ts, reason);
}

/** Makes `link` the device's primary link (registration on it, or call traffic). */
export function setPrimary(s: ModelState, d: Device, link: Link, ts: number, reason: string): void {
    const old = d.primary;
    if (old === link && link.state === "up" && link.role === "primary") return;
    if (old !== null && old !== link) {
        d.primary = null;
        if (old.state === "up") {
            old.role = "unknown";
            old.state = "down";
            old.since = ts;
            linkEvent(s, d, old, "primary", "up", ts, "superseded");
        }
    }
    const roleFrom = link.announced ? link.role : null;
    const from = link.announced ? link.state : null;
    const why = reason === "register" && link.role === "standby" ? "failover" : reason;
    link.role = "primary";
    link.state = "up";
    link.since = ts;
    link.lastSeen = ts;
    d.primary = link;
    fact(s, d, "homeCm", link.cm);
    linkEvent(s, d, link, roleFrom, from, ts, why);
}

export function onKeepAlive(s: ModelState, c: Conn, ts: number): void {
    const d = attach(s, c, ts);
    const link = c.link!;
    link.keepAlives++;
    link.lastSeen = ts;
    if (link === d.primary) {
        d.lastPhoneRx = ts;
        d.lastSeen = ts;
        if (link.state !== "up") setLinkState(s, d, link, "up", ts, "keepalive");
        return;
    }
    if (link.role === "primary" && !active(d.registration) && d.unregisteredReason === "keepalive-timeout") {
        // Keepalives resumed on the registration's own connection (the capture lost them): still registered.
        setPrimary(s, d, link, ts, "keepalive");
        inferRegistered(s, d, c, ts);
    } else if (d.primary === null && link.cm === d.homeCm && d.registration === "unknown") {
        // Restored knowledge (or an earlier registration) names this CallManager as the phone's home: after a
        // restart its keepalives there are the registration's, so the phone is confirmed registered.
        setPrimary(s, d, link, ts, "keepalive");
        inferRegistered(s, d, c, ts);
    } else if (link.role !== "standby" || link.state !== "up") {
        // A connection carrying only keepalives is a standby link to a backup CallManager.
        const roleFrom = link.announced ? link.role : null;
        const from = link.announced ? link.state : null;
        link.role = "standby";
        link.state = "up";
        link.since = ts;
        armScan(s);
        linkEvent(s, d, link, roleFrom, from, ts, "keepalive");
    }
}

export function onAlarm(s: ModelState, c: Conn, f: SccpFields): void {
    const t = text(f, "text");
    const m = t === null ? null : /Load=(\S+)/.exec(t);
    if (m === null) return;
    const fw = intern(m[1]!);
    if (c.device !== null) fact(s, c.device, "firmware", fw);
    else c.firmware = fw;
}

/** A connection that closed without a single message: a refused attempt to reach a CallManager. */
export function refused(s: ModelState, conn: TcpConnection, ts: number): void {
    const d = deviceAt(s, conn.client.addr, ts);
    const cm = intern(TcpConnection.format(conn.server));
    let link = d.links.find((l) => l.cm === cm);
    if (link === undefined) {
        if (d.links.length >= MAX_LINKS_PER_DEVICE)
            dropLink(
                d,
                d.links.findIndex((l) => l !== d.primary),
            );
        link = {
            cm,
            role: "unknown",
            state: "refused",
            since: ts,
            lastSeen: ts,
            keepAlives: 0,
            attempts: 1,
            conn: null,
            announced: false,
            dropped: false,
        };
        d.links.push(link);
        linkEvent(s, d, link, null, null, ts, "refused");
        return;
    }
    link.attempts++;
    if (link.conn === null && link !== d.primary) setLinkState(s, d, link, "refused", ts, "refused");
}

export function onRegister(s: ModelState, c: Conn, f: SccpFields, ts: number): void {
    const name = text(f, "deviceName");
    let cur = c.device !== null && !c.device.removed ? c.device : null;
    let byIp = s.byIp.get(c.phoneIp);
    // The address is now used by another device: what was known of the old one there is no longer true
    // (a phone replaced, or addresses reassigned); pushes must not go to the new phone in its name.
    if (name !== null && byIp !== undefined && !byIp.removed && byIp.name !== null && byIp.name !== name) {
        removeDevice(s, byIp, ts, "superseded");
        if (cur === byIp) cur = null;
        byIp = undefined;
    }
    const anon =
        cur !== null && cur.name === null
            ? cur
            : byIp !== undefined && byIp.name === null && !byIp.removed
              ? byIp
              : null;
    let d: Device;
    const existing = name === null ? undefined : s.devices.get(name);
    if (existing !== undefined) {
        d = existing;
        if (anon !== null && anon !== existing) mergeInto(s, anon, d, ts);
    } else if (name !== null && anon !== null) {
        s.devices.delete(anon.key);
        anon.key = name;
        anon.name = name;
        anon.mac = macFromName(name);
        s.devices.set(name, anon);
        d = anon;
    } else if (name !== null) {
        d = newDevice(s, name, name, ts, "registration");
    } else {
        d = anon ?? attach(s, c, ts);
    }
    if (c.device !== d) {
        c.device = d;
        c.link = null;
    }
    if (d.ip !== c.phoneIp) {
        if (d.ip !== null && s.byIp.get(d.ip) === d) s.byIp.delete(d.ip);
        d.ip = c.phoneIp;
    }
    s.byIp.set(c.phoneIp, d);
    d.stationIp = text(f, "stationIpAddr");
    d.deviceType = num(f, "deviceType") ?? d.deviceType;
    d.protocolVersion = num(f, "protocolVer") ?? d.protocolVersion;
    d.mac = d.mac ?? macFromField(text(f, "macAddress"));
    const fw = text(f, "firmwareLoadName") ?? c.firmware;
    if (fw !== null) d.firmware = intern(fw);
    d.lastSeen = ts;
    d.lastPhoneRx = ts;
    // A registration is knowledge in itself: it replaces what was restored or inferred.
    d.learnedBy = "registration";
    d.learnedAt = ts;
    d.restored = false;
    d.seenAt ??= ts;
    learned(s, d);
    // A new registration: whatever calls the phone had are gone; the line map is kept until re-learned.
    endAllCalls(s, d, ts);
    d.registration = "registering";
    armScan(s);
    d.unregistering = false;
    d.inferred = false;
    d.uncertain = false;
    d.mode = "unknown";
    c.uncertain = false;
    for (const l of d.lines) if (l) l.uncertain = false;
    const link = linkFor(d, c, ts);
    c.link = link;
    setPrimary(s, d, link, ts, "register");
    linesChanged(s, d, ts);
}

export function mergeInto(s: ModelState, anon: Device, d: Device, ts: number): void {
    for (const l of anon.links) {
        if (d.links.some((x) => x.cm === l.cm) || d.links.length >= MAX_LINKS_PER_DEVICE) {
            l.dropped = true;
            continue;
        }
        d.links.push(l);
        if (l.conn !== null) l.conn.device = d;
    }
    anon.links = [];
    anon.primary = null;
    removeDevice(s, anon, ts, null);
}

export function inferRegistered(s: ModelState, d: Device, c: Conn, ts: number): void {
    armScan(s);
    markRegistered(s, c, d, ts, true, ts);
}

export function onRegisterAck(s: ModelState, c: Conn, d: Device, f: SccpFields, ts: number): void {
    fact(s, d, "keepAliveS", num(f, "keepAliveInterval") ?? d.keepAliveS);
    const tpl = text(f, "dateTemplate");
    if (tpl !== null) fact(s, d, "dateTemplate", intern(tpl));
    fact(s, d, "secondaryKeepAliveS", num(f, "secondaryKeepAliveInterval") ?? d.secondaryKeepAliveS);
    armScan(s);
    const maxVer = num(f, "maxProtocolVer");
    fact(s, d, "cmProtocolVersion", maxVer ?? null);
    // CallManager 2.x acknowledges with the 12-byte form and never sends CallState.
    if (d.mode === "unknown") fact(s, d, "mode", maxVer === undefined ? "derived" : "callstate");
    if (d.registration === "registered" && !d.inferred) return;
    markRegistered(s, c, d, ts, false, Math.max(d.lastPhoneRx, ts));
}

/** The device counts as registered (seen: RegisterAck; inferred: call traffic); tells the listeners. */
export function markRegistered(
    s: ModelState,
    c: Conn,
    d: Device,
    ts: number,
    inferred: boolean,
    lastPhoneRx: number,
): void {
    d.registration = "registered";
    d.inferred = inferred;
    d.registeredAt = ts;
    d.unregisteredReason = null;
    d.lastPhoneRx = lastPhoneRx;
    emit(s, {
        type: "DeviceRegistered",
        t: ts,
        device: d.key,
        name: d.name,
        ip: d.ip,
        model: modelOf(d.deviceType).model,
        deviceType: d.deviceType,
        cm: c.cm,
        inferred,
    });
    linesChanged(s, d, ts);
}

export function unregister(s: ModelState, d: Device, reason: UnregisterReason, ts: number): void {
    const was = d.registration;
    d.registration = reason === "rejected" ? "rejected" : "unregistered";
    d.unregisteredReason = reason;
    d.unregistering = false;
    d.inferred = false;
    endAllCalls(s, d, ts);
    if (active(was)) {
        emit(s, { type: "DeviceUnregistered", t: ts, device: d.key, name: d.name, ip: d.ip, reason });
    }
    const p = d.primary;
    if (p !== null) {
        d.primary = null;
        if (p.state === "up") setLinkState(s, d, p, "down", ts, reason);
    }
    linesChanged(s, d, ts);
}

export function removeDevice(s: ModelState, d: Device, ts: number, reason: UnregisterReason | null): void {
    if (reason !== null && active(d.registration)) {
        emit(s, { type: "DeviceUnregistered", t: ts, device: d.key, name: d.name, ip: d.ip, reason });
    }
    d.registration = "unregistered";
    endAllCalls(s, d, ts);
    for (const l of d.lines) if (l) setLineDn(s, l, null, null, ts);
    d.removed = true;
    learned(s);
    s.devices.delete(d.key);
    if (d.ip !== null && s.byIp.get(d.ip) === d) s.byIp.delete(d.ip);
    for (const link of d.links) if (link.conn !== null) link.conn.device = null;
}

export function evictDevices(s: ModelState, ts: number): void {
    const all = [...s.devices.values()].sort(
        (a, b) => Number(active(a.registration)) - Number(active(b.registration)) || a.lastSeen - b.lastSeen,
    );
    const n = Math.max(1, all.length >> 4);
    for (let i = 0; i < n; i++) {
        removeDevice(s, all[i]!, ts, "evicted");
        s.counters.devicesEvicted++;
    }
}

/**
 * The phone's clock. Set at every registration (and by some CallManagers now and then): only a new UTC
 * offset, date template or a clock that moved by more than a minute counts as learned.
 */
export function onTimeDate(s: ModelState, d: Device, f: SccpFields, ts: number): void {
    const clock = clockFromTimeDate(f, ts);
    if (clock === null) return;
    const old = d.clock;
    d.clock = clock;
    if (
        old === null ||
        old.utcOffsetS !== clock.utcOffsetS ||
        Math.abs(clock.localMs - clock.setAt * 1000 - (old.localMs - old.setAt * 1000)) > CLOCK_MOVED_MS
    ) {
        learned(s, d);
    }
}
