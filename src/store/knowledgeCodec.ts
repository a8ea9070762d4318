/**
 * The knowledge slots' payload (KnowledgeFile in snapshot.proto): what the box learned about the cluster,
 * written apart from the requests. `KnowledgeEncoder` keeps each device's encoding until its facts change,
 * so a registration re-encodes one device, not the whole office (a few hundred bytes per phone).
 */
import protobuf from "protobufjs";
import type {
    CallManagerSnapshot,
    DeviceSnapshot,
    KnowledgeExport,
    KnowledgeSnapshot,
    LineSnapshot,
    TemplateData,
} from "../cluster/knowledge.js";
import type { CallStateMode, ForwardingView, LearnedBy } from "../cluster/types.js";
import { bad, enumIn, enumOut, has, type Msg, optNum, optStr, put } from "./protoFields.js";
import { StoreError } from "./slots.js";
import { SNAPSHOT_ROOT } from "./snapshotCodec.js";

/** KnowledgeFile.schema_version written by this release; readers refuse newer ones. */
export const KNOWLEDGE_SCHEMA_VERSION = 1;
/** formatVersion of a knowledge slot record (protobuf, as the request snapshots). */
export const KNOWLEDGE_FORMAT = 2;

const FileType = SNAPSHOT_ROOT.lookupType("callbackd.store.v1.KnowledgeFile");
const KnowledgeType = SNAPSHOT_ROOT.lookupType("callbackd.store.v1.ClusterKnowledge");
const DeviceType = SNAPSHOT_ROOT.lookupType("callbackd.store.v1.DeviceFacts");
/** Tags of ClusterKnowledge.devices (field 4) and KnowledgeFile.knowledge (field 2), length-delimited. */
const DEVICE_TAG = (4 << 3) | 2;
const KNOWLEDGE_TAG = (2 << 3) | 2;

const LEARNED_BY: readonly LearnedBy[] = ["registration", "traffic"];
const DN_SOURCES: readonly ("linestat" | "callinfo")[] = ["linestat", "callinfo"];
const MODES: readonly CallStateMode[] = ["callstate", "derived"];

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

/** Reads a table reference and checks it names an entry of the table. */
function idIn(m: Msg, k: string, ids: ReadonlySet<number>, what: string): number | null {
    const id = optNum(m, k);
    if (id !== null && !ids.has(id)) throw bad(`${what}.${k}: no entry ${id} in its table`);
    return id;
}

function deviceIn(m: Msg, k: Tables, what: string): DeviceSnapshot {
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
        template: idIn(m, "template", k.templates, what),
        sets: idIn(m, "sets", k.sets, what),
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
    return { id: t.id, events: t.events, labels: t.labels, codes: t.codes.map((c) => c ?? -1) };
}

function templateIn(m: Msg, what: string): TemplateData {
    const events = m.events as number[];
    const labels = m.labels as string[];
    const codes = m.codes as number[];
    if (events.length !== labels.length || events.length !== codes.length) {
        throw bad(`${what}: ${events.length} events, ${labels.length} labels, ${codes.length} codes`);
    }
    return {
        id: m.id as number,
        events: [...events],
        labels: [...labels],
        codes: codes.map((c) => (c < 0 ? null : c)),
    };
}

function callManagerOut(c: CallManagerSnapshot): Msg {
    const m: Msg = { address: c.address, learnedAt: c.learnedAt };
    put(m, "template", c.template);
    put(m, "sets", c.sets);
    return m;
}

/** Ids of a snapshot's tables, to check references against. */
interface Tables {
    templates: ReadonlySet<number>;
    sets: ReadonlySet<number>;
}

function knowledgeIn(m: Msg): KnowledgeSnapshot {
    const templates = (m.templates as Msg[]).map((t, i) => templateIn(t, `knowledge.templates[${i}]`));
    const sets = (m.sets as Msg[]).map((s) => ({
        id: s.id as number,
        sets: (s.sets as Msg[]).map((x) => [...(x.slots as number[])]),
    }));
    const ids: Tables = { templates: new Set(templates.map((t) => t.id)), sets: new Set(sets.map((s) => s.id)) };
    if (ids.templates.size !== templates.length || ids.sets.size !== sets.length)
        throw bad("knowledge: a table id twice");
    return {
        templates,
        sets,
        callManagers: (m.callManagers as Msg[]).map((c, i) => {
            const what = `knowledge.callManagers[${i}]`;
            return {
                address: c.address as string,
                template: idIn(c, "template", ids.templates, what),
                sets: idIn(c, "sets", ids.sets, what),
                learnedAt: c.learnedAt as number,
            };
        }),
        devices: (m.devices as Msg[]).map((d, i) => deviceIn(d, ids, `knowledge.devices[${i}]`)),
    };
}

/** The tables and CallManagers (everything but the devices) as ClusterKnowledge bytes. */
function tablesOut(k: Omit<KnowledgeSnapshot, "devices">): Uint8Array {
    return KnowledgeType.encode({
        templates: k.templates.map(templateOut),
        sets: k.sets.map((s) => ({ id: s.id, sets: s.sets.map((slots) => ({ slots })) })),
        callManagers: k.callManagers.map(callManagerOut),
    }).finish();
}

/** One device as a ClusterKnowledge.devices entry (tag, length, DeviceFacts). */
function deviceEntry(d: DeviceSnapshot): Uint8Array {
    return protobuf.Writer.create()
        .uint32(DEVICE_TAG)
        .bytes(DeviceType.encode(deviceOut(d)).finish())
        .finish();
}

/** The KnowledgeFile around ClusterKnowledge bytes made of `parts`. */
function fileOf(parts: readonly Uint8Array[]): Uint8Array {
    let n = 0;
    for (const p of parts) n += p.length;
    const head = protobuf.Writer.create()
        .uint32(8)
        .uint32(KNOWLEDGE_SCHEMA_VERSION)
        .uint32(KNOWLEDGE_TAG)
        .uint32(n)
        .finish();
    const out = new Uint8Array(head.length + n);
    out.set(head, 0);
    let at = head.length;
    for (const p of parts) {
        out.set(p, at);
        at += p.length;
    }
    return out;
}

/** Encodes the knowledge as a KnowledgeFile (a protobuf message is the concatenation of its fields). */
export function encodeKnowledge(k: KnowledgeSnapshot): Uint8Array {
    return fileOf([tablesOut(k), ...k.devices.map(deviceEntry)]);
}

/** Decodes a knowledge slot's payload; throws StoreError on a bad payload or a newer schema. */
export function decodeKnowledge(payload: Uint8Array): KnowledgeSnapshot {
    let m: Msg;
    try {
        m = FileType.decode(payload) as unknown as Msg;
    } catch (err) {
        throw bad(`knowledge is not protobuf (${(err as Error).message})`);
    }
    const schema = m.schemaVersion as number;
    if (schema > KNOWLEDGE_SCHEMA_VERSION) {
        throw new StoreError(
            "STORE_SNAPSHOT_TOO_NEW",
            `knowledge schema version ${schema} is newer than this release reads (${KNOWLEDGE_SCHEMA_VERSION})`,
        );
    }
    if (schema < 1) throw bad("knowledge schema version missing");
    return has(m, "knowledge")
        ? knowledgeIn(m.knowledge as Msg)
        : { templates: [], sets: [], callManagers: [], devices: [] };
}

/**
 * Encodes the model's knowledge export, keeping each device's bytes until its revision moves: the same
 * bytes as `encodeKnowledge`, for the cost of the devices that changed. `reset()` drops the cache (the
 * daily write that refreshes every phone's last-seen time).
 */
export class KnowledgeEncoder {
    readonly #cache = new Map<string, { rev: number; bytes: Uint8Array }>();

    encode(k: KnowledgeExport): Uint8Array {
        const parts: Uint8Array[] = [tablesOut(k)];
        const keep = new Set<string>();
        for (const d of k.devices) {
            keep.add(d.key);
            let hit = this.#cache.get(d.key);
            if (hit === undefined || hit.rev !== d.rev) {
                hit = { rev: d.rev, bytes: deviceEntry(d.snapshot()) };
                this.#cache.set(d.key, hit);
            }
            parts.push(hit.bytes);
        }
        if (this.#cache.size > keep.size)
            for (const key of this.#cache.keys()) if (!keep.has(key)) this.#cache.delete(key);
        return fileOf(parts);
    }

    reset(): void {
        this.#cache.clear();
    }
}
