/**
 * Devices, lines and calls of a CTI session: open and close requests matched to their responses by
 * sequence number, registration and service events, device states, and call legs per line with their
 * state and parties.
 */
import type { QbeFields, QbeMessage } from "../codec.js";
import { QbeId, qbeEnumName } from "../schema.js";
import {
    boundedSet,
    handle,
    hkey,
    type LegRec,
    type LineRec,
    type LinkContext,
    num,
    obj,
    type Pending,
    type Session,
    str,
} from "./session.js";
import type { CtiEvent } from "./types.js";

const DEVICE_STATE_BY_ID: ReadonlyMap<number, string> = new Map([
    [206, "IDLE"],
    [207, "HELD"],
    [208, "ALERTING"],
    [209, "ACTIVE"],
    [230, "WHISPER"],
]);

/** Any message that is not the provider's (see provider.ts): devices, lines, calls. */
export function onObjectMessage(ctx: LinkContext, s: Session, msg: QbeMessage, now: number): void {
    const f = msg.fields;
    const key = s.ref.key;
    switch (msg.id) {
        case QbeId.DeviceOpenRequest:
            pend(ctx, s, f, { kind: "deviceOpen", deviceName: str(f, "deviceName") ?? "" });
            return;
        case QbeId.LineOpenRequest:
            pend(ctx, s, f, {
                kind: "lineOpen",
                deviceName: str(f, "deviceName") ?? "",
                lineName: str(f, "lineName") ?? "",
                partition: str(f, "partition"),
            });
            return;
        case QbeId.DeviceCloseRequest: {
            const h = handle(f, "callManagerID", "deviceID");
            if (h !== null) pend(ctx, s, f, { kind: "deviceClose", key: hkey(h) });
            return;
        }
        case QbeId.LineCloseRequest: {
            const h = handle(f, "lineCallManagerID", "lineID");
            if (h !== null) pend(ctx, s, f, { kind: "lineClose", key: hkey(h) });
            return;
        }
        case QbeId.DeviceOpenResponse: {
            const p = settle(s, f);
            const h = handle(f, "callManagerID", "deviceID");
            if (p?.kind !== "deviceOpen" || h === null || num(f, "result") !== 0) return;
            boundedSet(s.devices, hkey(h), { device: h, name: p.deviceName }, ctx.maxEntries);
            ctx.emit({ t: now, session: key, type: "DeviceOpened", device: h, deviceName: p.deviceName });
            return;
        }
        case QbeId.LineOpenResponse: {
            const p = settle(s, f);
            const h = handle(f, "lineCallManagerID", "lineID");
            if (p?.kind !== "lineOpen" || h === null || num(f, "result") !== 0) return;
            const rec: LineRec = {
                line: h,
                deviceName: p.deviceName,
                lineName: p.lineName,
                partition: p.partition,
            };
            boundedSet(s.lines, hkey(h), rec, ctx.maxEntries);
            ctx.emit({ t: now, session: key, type: "LineOpened", ...rec, line: { ...h } });
            return;
        }
        case QbeId.DeviceCloseResponse:
        case QbeId.DeviceClosedEvent: {
            if (msg.id === QbeId.DeviceCloseResponse) {
                settle(s, f);
                if (num(f, "result") !== 0) return;
            }
            const h =
                msg.id === QbeId.DeviceClosedEvent
                    ? handle(f, "deviceCallManagerID", "deviceID")
                    : handle(f, "callManagerID", "deviceID");
            if (h === null) return;
            const d = s.devices.get(hkey(h));
            s.devices.delete(hkey(h));
            const e: CtiEvent = {
                t: now,
                session: key,
                type: "DeviceClosed",
                device: h,
                deviceName: d?.name ?? null,
            };
            const reason = num(f, "reason");
            if (reason !== null) e.reason = reason;
            ctx.emit(e);
            return;
        }
        case QbeId.LineCloseResponse:
        case QbeId.LineClosedEvent: {
            if (msg.id === QbeId.LineCloseResponse) {
                settle(s, f);
                if (num(f, "result") !== 0) return;
            }
            const h = handle(f, "lineCallManagerID", "lineID");
            if (h === null) return;
            const k = hkey(h);
            const l = s.lines.get(k);
            s.lines.delete(k);
            for (const [lk, leg] of s.legs) if (hkey(leg.line) === k) s.legs.delete(lk);
            const e: CtiEvent = {
                t: now,
                session: key,
                type: "LineClosed",
                line: h,
                lineName: l?.lineName ?? null,
            };
            const reason = num(f, "reason");
            if (reason !== null) e.reason = reason;
            ctx.emit(e);
            return;
        }
        case QbeId.DeviceRegisteredEvent:
        case QbeId.DeviceUnregisteredEvent: {
            const name = str(obj(f, "deviceInfo") ?? {}, "name");
            if (name === null) return;
            const type = msg.id === QbeId.DeviceRegisteredEvent ? "DeviceRegistered" : "DeviceUnregistered";
            ctx.emit({ t: now, session: key, type, deviceName: name, reason: num(f, "reason"), source: msg.name });
            return;
        }
        case QbeId.DeviceRegisteredEventWithLineInfo: {
            const name = str(f, "deviceName");
            if (name === null) return;
            const reason = num(f, "registerReason");
            ctx.emit({ t: now, session: key, type: "DeviceRegistered", deviceName: name, reason, source: msg.name });
            return;
        }
        case QbeId.DeviceLineInfoEvent: {
            const name = str(f, "deviceName");
            const status = num(f, "deviceRegistrationStatus");
            if (name === null || (status !== 1 && status !== 2)) return;
            const type = status === 1 ? "DeviceRegistered" : "DeviceUnregistered";
            ctx.emit({ t: now, session: key, type, deviceName: name, reason: null, source: msg.name });
            return;
        }
        case QbeId.DeviceInServiceEvent:
        case QbeId.DeviceOutOfServiceEvent: {
            const h = handle(f, "deviceCallManagerID", "deviceID");
            if (h === null) return;
            const type = msg.id === QbeId.DeviceInServiceEvent ? "DeviceInService" : "DeviceOutOfService";
            const deviceName = s.devices.get(hkey(h))?.name ?? null;
            ctx.emit({ t: now, session: key, type, device: h, deviceName, reason: num(f, "reason") });
            return;
        }
        case QbeId.LineInServiceEvent:
        case QbeId.LineOutOfServiceEvent: {
            const h = handle(f, "lineCallManagerID", "lineID");
            if (h === null) return;
            const type = msg.id === QbeId.LineInServiceEvent ? "LineInService" : "LineOutOfService";
            const lineName = s.lines.get(hkey(h))?.lineName ?? null;
            ctx.emit({ t: now, session: key, type, line: h, lineName, reason: num(f, "reason") });
            return;
        }
        case QbeId.NewCallEvent:
        case QbeId.ExistingCallEvent:
        case QbeId.CallStateChangedEvent_V2:
            callState(ctx, s, msg, now);
            return;
        case QbeId.CallPartyInfoChangedEvent: {
            const leg = legOf(s, f);
            if (leg === undefined) return;
            if (f.callingPartyChanged === true) leg.callingParty = str(f, "callingParty");
            if (f.calledPartyChanged === true) leg.calledParty = str(f, "calledParty");
            return;
        }
        case QbeId.CallClosedEvent: {
            const line = handle(f, "lineCallManagerID", "lineID");
            const call = handle(f, "callCallManagerID", "callLegID");
            if (line === null || call === null) return;
            s.legs.delete(`${hkey(line)}/${hkey(call)}`);
            const lineName = s.lines.get(hkey(line))?.lineName ?? null;
            ctx.emit({ t: now, session: key, type: "CallClosed", line, lineName, call, reason: num(f, "reason") });
            return;
        }
        default: {
            const deviceState = DEVICE_STATE_BY_ID.get(msg.id);
            if (deviceState === undefined) return;
            const h = handle(f, "deviceCallManagerID", "deviceID");
            if (h === null) return;
            const deviceName = s.devices.get(hkey(h))?.name ?? null;
            ctx.emit({ t: now, session: key, type: "DeviceStateChanged", device: h, deviceName, deviceState });
        }
    }
}

function pend(ctx: LinkContext, s: Session, f: QbeFields, p: Pending): void {
    const seq = num(f, "sequenceNumber");
    if (seq !== null) boundedSet(s.pending, seq, p, ctx.maxEntries);
}

function settle(s: Session, f: QbeFields): Pending | undefined {
    const seq = num(f, "sequenceNumber");
    if (seq === null) return undefined;
    const p = s.pending.get(seq);
    s.pending.delete(seq);
    return p;
}

function legOf(s: Session, f: QbeFields): LegRec | undefined {
    const line = handle(f, "lineCallManagerID", "lineID");
    const call = handle(f, "callCallManagerID", "callLegID");
    if (line === null || call === null) return undefined;
    return s.legs.get(`${hkey(line)}/${hkey(call)}`);
}

function callState(ctx: LinkContext, s: Session, msg: QbeMessage, now: number): void {
    const f = msg.fields;
    const line = handle(f, "lineCallManagerID", "lineID");
    const call = handle(f, "callCallManagerID", "callLegID");
    const state = num(f, "state");
    if (line === null || call === null || state === null) return;
    const k = `${hkey(line)}/${hkey(call)}`;
    let leg = s.legs.get(k);
    if (leg === undefined) {
        leg = { line, call, state, callingParty: null, calledParty: null };
        boundedSet(s.legs, k, leg, ctx.maxEntries);
    }
    leg.state = state;
    if (msg.id !== QbeId.CallStateChangedEvent_V2) {
        leg.callingParty = str(f, "callingParty");
        leg.calledParty = str(f, "calledParty");
    }
    const l = s.lines.get(hkey(line));
    ctx.emit({
        t: now,
        session: s.ref.key,
        type: "CallStateChanged",
        line: { ...line },
        lineName: l?.lineName ?? null,
        deviceName: l?.deviceName ?? str(f, "deviceName"),
        call: { ...call },
        state,
        stateName: qbeEnumName("CALLSTATE", state) ?? String(state),
        cause: num(f, "cause"),
        callingParty: leg.callingParty,
        calledParty: leg.calledParty,
        source: msg.name,
    });
}
