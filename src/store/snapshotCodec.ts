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
import type {
    CallManagerSnapshot,
    DeviceSnapshot,
    KnowledgeSnapshot,
    LineSnapshot,
    TemplateData,
} from "../cluster/knowledge.js";
import type { CallBackTrigger, CallStateMode, ForwardingView, LearnedBy } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import { StoreError } from "./slots.js";

/** Text of snapshot.proto (beside this module in src/ and, copied by the build, in dist/). */
export const SNAPSHOT_PROTO = readFileSync(new URL("./snapshot.proto", import.meta.url), "utf8");

/** formatVersion of a JSON snapshot (the first release). */
export const FORMAT_JSON = 1;
/** formatVersion of a protobuf snapshot (written by this release). */
export const FORMAT_PROTOBUF = 2;
/** Snapshot.schema_version written by this release (2: with cluster knowledge); readers refuse newer ones. */
export const SCHEMA_VERSION = 2;

/** What a snapshot holds. */
export interface SnapshotContent {
    engine: EngineState;
    /** MQTT session counter (issue H). */
    session: number;
    /** Last alarm event seq acknowledged by the broker (the outbox itself lives with the MQTT plane). */
    outboxAckedEseq: number;
    /** What the box learned about the cluster (schema 2; null in older snapshots). */
    knowledge: KnowledgeSnapshot | null;
}

/** What encodeSnapshot takes: the knowledge as plain data, or already encoded (`encodeKnowledge`). */
export interface SnapshotInput extends Omit<SnapshotContent, "knowledge"> {
    knowledge?: KnowledgeSnapshot | Uint8Array | null;
}

const root = protobuf.parse(SNAPSHOT_PROTO).root;
const SnapshotType = root.lookupType("callbackd.store.v1.Snapshot");
const KnowledgeType = root.lookupType("callbackd.store.v1.ClusterKnowledge");
/** Tag of Snapshot.knowledge (field 5, length-delimited). */
const KNOWLEDGE_TAG = (5 << 3) | 2;

const TRIGGERS: readonly RequestTrigger[] = ["busy", "no-answer"];
const HEARD: readonly CallBackTrigger[] = ["busy", "ringback", "reorder"];
const PHASES: readonly RequestPhase[] = ["pending", "waiting", "notified"];
const LINE_STATES: readonly CalleeWatch["state"][] = ["idle", "ringing", "busy", "unknown"];
const LEARNED_BY: readonly LearnedBy[] = ["registration", "traffic"];
const DN_SOURCES: readonly ("linestat" | "callinfo")[] = ["linestat", "callinfo"];
const MODES: readonly CallStateMode[] = ["callstate", "derived"];

type Msg = Record<string, unknown>;

function bad(what: string): StoreError {
    return new StoreError("STORE_SNAPSHOT_INVALID", `snapshot payload: ${what}`);
}

/** Enum value (1-based in the schema: 0 is "unspecified"). */
function enumOut<T>(values: readonly T[], v: T): number {
    return values.indexOf(v) + 1;
}

function enumIn<T>(values: readonly T[], v: unknown, what: string): T {
    const x = typeof v === "number" ? values[v - 1] : undefined;
    if (x === undefined) throw bad(`${what}: unexpected value ${String(v)}`);
    return x;
}

/** A field present on the wire: decode sets those as own properties (defaults live on the prototype). */
function has(m: Msg, k: string): boolean {
    return Object.hasOwn(m, k) && m[k] !== null && m[k] !== undefined;
}

function optNum(m: Msg, k: string): number | null {
    return has(m, k) ? (m[k] as number) : null;
}

function optStr(m: Msg, k: string): string | null {
    return has(m, k) ? (m[k] as string) : null;
}

function sub(m: Msg, k: string, what: string): Msg {
    if (!has(m, k)) throw bad(`${what}.${k} missing`);
    return m[k] as Msg;
}

/** Sets an optional field unless the value is null (absent = null). */
function put(m: Msg, k: string, v: unknown): void {
    if (v !== null && v !== undefined) m[k] = v;
}

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

// ---------------------------------------------------------------------------------------------------------
// Knowledge (schema 2)

function forwardingOut(f: ForwardingView): Msg {
    const m: Msg = {};
    put(m, "all", f.all);
    put(m, "busy", f.busy);
    put(m, "noAnswer", f.noAnswer);
    return m;
}

function forwardingIn(m: Msg): ForwardingView {
    return { all: optStr(m, "all"), busy: optStr(m, "busy"), noAnswer: optStr(m, "noAnswer") };
}

function lineOut(l: LineSnapshot): Msg {
    const m: Msg = { instance: l.instance };
    put(m, "dn", l.dn);
    if (l.dnSource !== null) m.dnSource = enumOut(DN_SOURCES, l.dnSource);
    put(m, "displayName", l.displayName);
    put(m, "label", l.label);
    if (l.forwarding !== null) m.forwarding = forwardingOut(l.forwarding);
    put(m, "learnedAt", l.learnedAt);
    return m;
}

function lineIn(m: Msg, what: string): LineSnapshot {
    return {
        instance: m.instance as number,
        dn: optStr(m, "dn"),
        dnSource: m.dnSource ? enumIn(DN_SOURCES, m.dnSource, `${what}.dnSource`) : null,
        displayName: optStr(m, "displayName"),
        label: optStr(m, "label"),
        forwarding: has(m, "forwarding") ? forwardingIn(m.forwarding as Msg) : null,
        learnedAt: optNum(m, "learnedAt"),
    };
}

function deviceOut(d: DeviceSnapshot): Msg {
    const m: Msg = {
        key: d.key,
        learnedBy: enumOut(LEARNED_BY, d.learnedBy),
        learnedAt: d.learnedAt,
        lastSeen: d.lastSeen,
        lines: d.lines.map(lineOut),
    };
    for (const k of [
        "name",
        "mac",
        "ip",
        "stationIp",
        "deviceType",
        "firmware",
        "protocolVersion",
        "cmProtocolVersion",
        "keepAliveS",
        "secondaryKeepAliveS",
        "dateTemplate",
        "userName",
        "serverName",
        "homeCm",
        "template",
        "sets",
    ] as const) {
        put(m, k, d[k]);
    }
    if (d.mode !== "unknown") m.mode = enumOut(MODES, d.mode);
    if (d.clock !== null) {
        const c: Msg = { localMs: d.clock.localMs, setAt: d.clock.setAt };
        put(c, "utcOffsetS", d.clock.utcOffsetS);
        m.clock = c;
    }
    return m;
}

/** Reads a table index and checks it names an entry. */
function indexIn(m: Msg, k: string, size: number, what: string): number | null {
    const i = optNum(m, k);
    if (i !== null && i >= size) throw bad(`${what}.${k}: index ${i} beyond the ${size} entries of its table`);
    return i;
}

function deviceIn(m: Msg, k: { templates: number; sets: number }, what: string): DeviceSnapshot {
    if (typeof m.key !== "string" || m.key === "") throw bad(`${what}.key missing`);
    const clock = has(m, "clock") ? (m.clock as Msg) : null;
    return {
        key: m.key,
        name: optStr(m, "name"),
        mac: optStr(m, "mac"),
        ip: optStr(m, "ip"),
        stationIp: optStr(m, "stationIp"),
        deviceType: optNum(m, "deviceType"),
        firmware: optStr(m, "firmware"),
        protocolVersion: optNum(m, "protocolVersion"),
        cmProtocolVersion: optNum(m, "cmProtocolVersion"),
        keepAliveS: optNum(m, "keepAliveS"),
        secondaryKeepAliveS: optNum(m, "secondaryKeepAliveS"),
        dateTemplate: optStr(m, "dateTemplate"),
        userName: optStr(m, "userName"),
        serverName: optStr(m, "serverName"),
        homeCm: optStr(m, "homeCm"),
        mode: m.mode ? enumIn(MODES, m.mode, `${what}.mode`) : "unknown",
        template: indexIn(m, "template", k.templates, what),
        sets: indexIn(m, "sets", k.sets, what),
        clock:
            clock === null
                ? null
                : {
                      localMs: clock.localMs as number,
                      setAt: clock.setAt as number,
                      utcOffsetS: optNum(clock, "utcOffsetS"),
                  },
        learnedBy: enumIn(LEARNED_BY, m.learnedBy, `${what}.learnedBy`),
        learnedAt: m.learnedAt as number,
        lastSeen: m.lastSeen as number,
        lines: (m.lines as Msg[]).map((l, i) => lineIn(l, `${what}.lines[${i}]`)),
    };
}

function templateOut(t: TemplateData): Msg {
    return { events: t.events, labels: t.labels, codes: t.codes.map((c) => c ?? -1) };
}

function templateIn(m: Msg, what: string): TemplateData {
    const events = m.events as number[];
    const labels = m.labels as string[];
    const codes = m.codes as number[];
    if (events.length !== labels.length || events.length !== codes.length) {
        throw bad(`${what}: ${events.length} events, ${labels.length} labels, ${codes.length} codes`);
    }
    return { events: [...events], labels: [...labels], codes: codes.map((c) => (c < 0 ? null : c)) };
}

function callManagerOut(c: CallManagerSnapshot): Msg {
    const m: Msg = { address: c.address, learnedAt: c.learnedAt };
    put(m, "template", c.template);
    put(m, "sets", c.sets);
    return m;
}

function knowledgeIn(m: Msg): KnowledgeSnapshot {
    const templates = (m.templates as Msg[]).map((t, i) => templateIn(t, `knowledge.templates[${i}]`));
    const sets = (m.sets as Msg[]).map((s) => (s.sets as Msg[]).map((x) => [...(x.slots as number[])]));
    const size = { templates: templates.length, sets: sets.length };
    return {
        templates,
        sets,
        callManagers: (m.callManagers as Msg[]).map((c, i) => {
            const what = `knowledge.callManagers[${i}]`;
            return {
                address: c.address as string,
                template: indexIn(c, "template", size.templates, what),
                sets: indexIn(c, "sets", size.sets, what),
                learnedAt: c.learnedAt as number,
            };
        }),
        devices: (m.devices as Msg[]).map((d, i) => deviceIn(d, size, `knowledge.devices[${i}]`)),
    };
}

/** Encodes the knowledge alone (a ClusterKnowledge message), to be kept and appended to later snapshots. */
export function encodeKnowledge(k: KnowledgeSnapshot): Uint8Array {
    return KnowledgeType.encode({
        templates: k.templates.map(templateOut),
        sets: k.sets.map((s) => ({ sets: s.map((slots) => ({ slots })) })),
        callManagers: k.callManagers.map(callManagerOut),
        devices: k.devices.map(deviceOut),
    }).finish();
}

// ---------------------------------------------------------------------------------------------------------

/**
 * Encodes a snapshot as protobuf (formatVersion 2). The knowledge goes last, as a length-delimited field 5
 * appended to the rest: a protobuf message is the concatenation of its fields, so knowledge encoded once
 * (`encodeKnowledge`) serves every snapshot until it changes, and a request change encodes only the requests.
 */
export function encodeSnapshot(c: SnapshotInput): Uint8Array {
    const s = c.engine;
    const head = SnapshotType.encode({
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
    const k = c.knowledge ?? null;
    if (k === null) return head;
    const body = k instanceof Uint8Array ? k : encodeKnowledge(k);
    const field = protobuf.Writer.create().uint32(KNOWLEDGE_TAG).bytes(body).finish();
    const out = new Uint8Array(head.length + field.length);
    out.set(head, 0);
    out.set(field, head.length);
    return out;
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
    return {
        engine: checked(engine),
        session: m.session as number,
        outboxAckedEseq: optNum(outbox, "ackedEseq") ?? 0,
        knowledge: has(m, "knowledge") ? knowledgeIn(m.knowledge as Msg) : null,
    };
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
        return { engine: checked(value), session: 0, outboxAckedEseq: 0, knowledge: null };
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
