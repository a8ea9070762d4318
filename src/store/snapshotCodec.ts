/**
 * Snapshot payloads. formatVersion 2 is protobuf (schema `snapshot.proto` beside this file; SNAPSHOT_PROTO is
 * the same text, a test keeps them equal, so the built package needs no file at run time). formatVersion 1
 * (the engine state as JSON) is still read, so a box upgraded with requests on flash keeps them.
 */
import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { parseEngineState } from "../callback/state.js";
import type {
    CallBackRequest,
    CalleeWatch,
    CallerInfo,
    EngineState,
    NotifyDelivery,
    ReplaceOffer,
    RequestPhase,
    RequestTrigger,
} from "../callback/types.js";
import type { CallBackTrigger } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import { bad, enumIn, enumOut, has, type Msg, optNum, optStr, put, sub } from "./protoFields.js";
import { StoreError } from "./slots.js";

/** Text of snapshot.proto (beside this module in src/ and, copied by the build, in dist/). */
export const SNAPSHOT_PROTO = readFileSync(new URL("./snapshot.proto", import.meta.url), "utf8");

/** The schema's types (the knowledge codec takes its own from here too). */
export const SNAPSHOT_ROOT = protobuf.parse(SNAPSHOT_PROTO).root;

/** formatVersion of a JSON snapshot (the first release). */
export const FORMAT_JSON = 1;
/** formatVersion of a protobuf snapshot (written by this release). */
export const FORMAT_PROTOBUF = 2;
/** Snapshot.schema_version written by this release; readers refuse newer ones. */
export const SCHEMA_VERSION = 1;

/** What a snapshot holds. */
export interface SnapshotContent {
    engine: EngineState;
    /** MQTT session counter (issue H). */
    session: number;
    /** Last alarm event seq acknowledged by the broker (the outbox itself lives with the MQTT plane). */
    outboxAckedEseq: number;
}

const SnapshotType = SNAPSHOT_ROOT.lookupType("callbackd.store.v1.Snapshot");

const TRIGGERS: readonly RequestTrigger[] = ["busy", "no-answer"];
const HEARD: readonly CallBackTrigger[] = ["busy", "ringback", "reorder"];
const PHASES: readonly RequestPhase[] = ["pending", "waiting", "notified"];
const LINE_STATES: readonly CalleeWatch["state"][] = ["idle", "ringing", "busy", "unknown"];

function callerOut(c: CallerInfo): Msg {
    const m: Msg = { device: c.device };
    put(m, "name", c.name);
    put(m, "ip", c.ip);
    put(m, "line", c.line);
    put(m, "dn", c.dn);
    put(m, "model", c.model);
    return m;
}

function callerIn(m: Msg): CallerInfo {
    return {
        device: m.device as string,
        name: optStr(m, "name"),
        ip: optStr(m, "ip"),
        line: optNum(m, "line"),
        dn: optStr(m, "dn"),
        model: optStr(m, "model"),
    };
}

function phoneTimeOut(pt: PhoneTime): Msg {
    const m: Msg = { epochMs: pt.epochMs };
    put(m, "utcOffsetMinutes", pt.utcOffsetMinutes);
    put(m, "dateTemplate", pt.dateTemplate);
    return m;
}

function phoneTimeIn(m: Msg): PhoneTime {
    return {
        epochMs: m.epochMs as number,
        ...(has(m, "utcOffsetMinutes") ? { utcOffsetMinutes: m.utcOffsetMinutes as number } : {}),
        ...(has(m, "dateTemplate") ? { dateTemplate: m.dateTemplate as string } : {}),
    };
}

function deliveryOut(d: NotifyDelivery): Msg {
    const m: Msg = { attempts: d.attempts, inFlight: d.inFlight };
    put(m, "retryAt", d.retryAt);
    put(m, "lastCode", d.lastCode);
    return m;
}

function deliveryIn(m: Msg): NotifyDelivery {
    return {
        attempts: m.attempts as number,
        inFlight: m.inFlight as boolean,
        retryAt: optNum(m, "retryAt"),
        lastCode: optStr(m, "lastCode"),
    };
}

function requestOut(r: CallBackRequest): Msg {
    const m: Msg = {
        id: r.id,
        seq: r.seq,
        caller: callerOut(r.caller),
        calledDn: r.calledDn,
        trigger: enumOut(TRIGGERS, r.trigger),
        createdAt: r.createdAt,
        expiresAt: r.expiresAt,
        phase: enumOut(PHASES, r.phase),
        suspended: r.suspended,
        generation: r.generation,
        calleeInUseSeen: r.calleeInUseSeen,
    };
    if (r.heard !== null) m.heard = enumOut(HEARD, r.heard);
    put(m, "activeSince", r.activeSince);
    put(m, "reply", r.reply);
    if (r.replaces !== null) m.replaces = requestOut(r.replaces);
    put(m, "callerUnregisteredAt", r.callerUnregisteredAt);
    put(m, "notifiedAt", r.notifiedAt);
    if (r.notifyPhoneTime !== null) m.notifyPhoneTime = phoneTimeOut(r.notifyPhoneTime);
    if (r.delivery !== null) m.delivery = deliveryOut(r.delivery);
    return m;
}

function requestIn(m: Msg, what: string): CallBackRequest {
    return {
        id: m.id as string,
        seq: m.seq as number,
        caller: callerIn(sub(m, "caller", what)),
        calledDn: m.calledDn as string,
        trigger: enumIn(TRIGGERS, m.trigger, `${what}.trigger`),
        heard: has(m, "heard") ? enumIn(HEARD, m.heard, `${what}.heard`) : null,
        createdAt: m.createdAt as number,
        activeSince: optNum(m, "activeSince"),
        expiresAt: m.expiresAt as number,
        phase: enumIn(PHASES, m.phase, `${what}.phase`),
        suspended: m.suspended as boolean,
        generation: m.generation as number,
        reply: optStr(m, "reply"),
        replaces: has(m, "replaces") ? requestIn(m.replaces as Msg, `${what}.replaces`) : null,
        calleeInUseSeen: m.calleeInUseSeen as boolean,
        callerUnregisteredAt: optNum(m, "callerUnregisteredAt"),
        notifiedAt: optNum(m, "notifiedAt"),
        notifyPhoneTime: has(m, "notifyPhoneTime") ? phoneTimeIn(m.notifyPhoneTime as Msg) : null,
        delivery: has(m, "delivery") ? deliveryIn(m.delivery as Msg) : null,
    };
}

function offerOut(o: ReplaceOffer): Msg {
    const m: Msg = {
        id: o.id,
        caller: callerOut(o.caller),
        calledDn: o.calledDn,
        trigger: enumOut(TRIGGERS, o.trigger),
        createdAt: o.createdAt,
        expiresAt: o.expiresAt,
        replaces: o.replaces,
    };
    if (o.heard !== null) m.heard = enumOut(HEARD, o.heard);
    return m;
}

function offerIn(m: Msg, what: string): ReplaceOffer {
    return {
        id: m.id as string,
        caller: callerIn(sub(m, "caller", what)),
        calledDn: m.calledDn as string,
        trigger: enumIn(TRIGGERS, m.trigger, `${what}.trigger`),
        heard: has(m, "heard") ? enumIn(HEARD, m.heard, `${what}.heard`) : null,
        createdAt: m.createdAt as number,
        expiresAt: m.expiresAt as number,
        replaces: m.replaces as string,
    };
}

function watchOut(w: CalleeWatch): Msg {
    const m: Msg = { dn: w.dn, state: enumOut(LINE_STATES, w.state), since: w.since };
    put(m, "firstNotifiedAt", w.firstNotifiedAt);
    return m;
}

function watchIn(m: Msg, what: string): CalleeWatch {
    return {
        dn: m.dn as string,
        state: enumIn(LINE_STATES, m.state, `${what}.state`),
        since: m.since as number,
        firstNotifiedAt: optNum(m, "firstNotifiedAt"),
    };
}

/** Runs the engine's own checks (phase invariants, unique ids) on a decoded state. */
function checked(value: unknown): EngineState {
    try {
        return parseEngineState(value);
    } catch (err) {
        throw bad((err as Error).message);
    }
}

/** Encodes a snapshot as protobuf (formatVersion 2). */
export function encodeSnapshot(c: SnapshotContent): Uint8Array {
    const s = c.engine;
    return SnapshotType.encode({
        schemaVersion: SCHEMA_VERSION,
        engine: {
            version: s.version,
            seq: s.seq,
            now: s.now,
            generation: s.generation,
            durable: s.durable,
            requests: s.requests.map(requestOut),
            offers: s.offers.map(offerOut),
            callees: s.callees.map(watchOut),
            alarms: s.alarms,
        },
        outbox: { ackedEseq: c.outboxAckedEseq },
        session: c.session,
    }).finish();
}

/** Decodes a protobuf snapshot (formatVersion 2); throws StoreError on a bad payload or a newer schema. */
export function decodeSnapshot(payload: Uint8Array): SnapshotContent {
    let m: Msg;
    try {
        m = SnapshotType.decode(payload) as unknown as Msg;
    } catch (err) {
        throw bad(`not protobuf (${(err as Error).message})`);
    }
    const schema = m.schemaVersion as number;
    if (schema > SCHEMA_VERSION) {
        throw new StoreError(
            "STORE_SNAPSHOT_TOO_NEW",
            `snapshot schema version ${schema} is newer than this release reads (${SCHEMA_VERSION})`,
        );
    }
    if (schema < 1) throw bad("schema version missing");
    const e = sub(m, "engine", "snapshot");
    const engine = {
        version: e.version,
        seq: e.seq,
        now: e.now,
        generation: e.generation,
        durable: e.durable,
        requests: (e.requests as Msg[]).map((r, i) => requestIn(r, `requests[${i}]`)),
        offers: (e.offers as Msg[]).map((o, i) => offerIn(o, `offers[${i}]`)),
        callees: (e.callees as Msg[]).map((w, i) => watchIn(w, `callees[${i}]`)),
        alarms: [...(e.alarms as string[])],
    };
    const outbox = has(m, "outbox") ? (m.outbox as Msg) : {};
    return { engine: checked(engine), session: m.session as number, outboxAckedEseq: optNum(outbox, "ackedEseq") ?? 0 };
}

/** Decodes a slot payload of any released format; throws StoreError for an unknown format or a bad payload. */
export function decodePayload(formatVersion: number, payload: Uint8Array): SnapshotContent {
    if (formatVersion === FORMAT_PROTOBUF) return decodeSnapshot(payload);
    if (formatVersion === FORMAT_JSON) {
        let value: unknown;
        try {
            value = JSON.parse(Buffer.from(payload).toString("utf8"));
        } catch (err) {
            throw bad(`not JSON (${(err as Error).message})`);
        }
        return { engine: checked(value), session: 0, outboxAckedEseq: 0 };
    }
    throw new StoreError(
        formatVersion > FORMAT_PROTOBUF ? "STORE_SNAPSHOT_TOO_NEW" : "STORE_SNAPSHOT_INVALID",
        `snapshot format ${formatVersion} is not one this release reads (${FORMAT_JSON}, ${FORMAT_PROTOBUF})`,
    );
}

/** A slot payload as readable JSON (for `callbackd snapshot inspect`). */
export function inspectPayload(formatVersion: number, payload: Uint8Array): string {
    return JSON.stringify({ formatVersion, ...decodePayload(formatVersion, payload) }, null, 2);
}
