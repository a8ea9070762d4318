/**
 * Knowledge: what the box learned about the cluster and keeps across restarts (the snapshot carries it), as
 * opposed to activity (connections, calls, tones, timers), which the wire shows again within seconds. Phones
 * register once and then stay quiet for days or weeks: a box that lost what it learned at registration can
 * tell neither which softkey is CallBack nor which numbers a phone has.
 *
 * This module holds the durable part's types, its plain serialisable form (`KnowledgeSnapshot`, what the
 * store encodes) and the rules about it (what a phone still lacks); the model keeps the facts in its device
 * and line records and calls these functions.
 */
import { CALLBACK_MODELS, DEVICE_TYPES } from "../sccp/tables/deviceTypes.js";
import { type SoftKeySets, type SoftKeyTemplate, setsOf, templateOf } from "./softkeys.js";
import type { PhoneClock } from "./time.js";
import type { CallStateMode, ForwardingView, LearnedBy, Missing } from "./types.js";

export type { LearnedBy, Missing };

/** What the box knows about one line of a device. */
export interface LineFacts {
    instance: number;
    dn: string | null;
    /** "linestat" (LineStatRes/V2), "callinfo" (inferred from a call's numbers) or null. */
    dnSource: "linestat" | "callinfo" | null;
    displayName: string | null;
    label: string | null;
    forwarding: ForwardingView | null;
    /** Capture time (s) the number was learned; null while no number is known. */
    learnedAt: number | null;
}

/** What the box knows about a device (the durable half of the model's device record). */
export interface DeviceFacts {
    /** Stable key: the device name, or "@<ip>" until the name is known. */
    key: string;
    name: string | null;
    mac: string | null;
    ip: string | null;
    stationIp: string | null;
    deviceType: number | null;
    firmware: string | null;
    protocolVersion: number | null;
    cmProtocolVersion: number | null;
    keepAliveS: number | null;
    secondaryKeepAliveS: number | null;
    dateTemplate: string | null;
    userName: string | null;
    serverName: string | null;
    /** CallManager ("ip:port") the device registered with or sent call traffic to: its home. */
    homeCm: string | null;
    mode: CallStateMode;
    template: SoftKeyTemplate | null;
    sets: SoftKeySets | null;
    clock: PhoneClock | null;
    learnedBy: LearnedBy;
    /** Capture time (s) the device was learned (its registration, or its first traffic). */
    learnedAt: number;
    /** Capture time (s) of the device's last message. */
    lastSeen: number;
    /** Restored from flash and not registered since. */
    restored: boolean;
}

/** Plain form of one template: slot → event number, label text and label code (null: a text label). */
export interface TemplateData {
    /** What devices and CallManagers refer to it by (unique in one snapshot). */
    id: number;
    events: number[];
    labels: string[];
    codes: (number | null)[];
}

/** Plain form of a line's facts. */
export type LineSnapshot = LineFacts;

/** Plain form of a device's facts; template and sets are ids of the snapshot's tables' entries. */
export interface DeviceSnapshot extends Omit<DeviceFacts, "template" | "sets" | "restored"> {
    template: number | null;
    sets: number | null;
    lines: LineSnapshot[];
}

/** A CallManager's last softkey template and sets (the event numbers are CallManager-wide). */
export interface CallManagerSnapshot {
    address: string;
    template: number | null;
    sets: number | null;
    learnedAt: number;
}

/** Plain form of one set table: per set index, the template slots. */
export interface SetsData {
    id: number;
    sets: number[][];
}

/** The whole knowledge in plain form: what a snapshot holds. */
export interface KnowledgeSnapshot {
    templates: TemplateData[];
    sets: SetsData[];
    callManagers: CallManagerSnapshot[];
    devices: DeviceSnapshot[];
}

/** The knowledge as a writer takes it: tables, and each device's plain form on demand with its revision. */
export interface KnowledgeExport extends Omit<KnowledgeSnapshot, "devices"> {
    devices: { key: string; rev: number; snapshot(): DeviceSnapshot }[];
}

/** Counts for `show cluster knowledge` and the MQTT status. */
export interface KnowledgeSummary {
    devices: number;
    /** Learned at a registration this run saw. */
    registration: number;
    /** Restored from flash and not registered since (confirmed: seen on the wire since the restart). */
    restored: number;
    confirmed: number;
    /** Learned from traffic only (numbers from calls, the CallManager's template). */
    inferred: number;
    /** Phones with traffic that lack the CallBack key or their numbers. */
    unlearned: number;
}

/** One phone the box cannot serve fully yet, and what it lacks. */
export interface UnlearnedPhone {
    device: string;
    name: string | null;
    ip: string | null;
    /** Capture time (s) of the phone's first traffic in this run. */
    seenAt: number;
    missing: Missing[];
}

/**
 * A device type's model name; `softkey`: one of the seed's models that press CallBack as a softkey;
 * `hasSoftkeys`: false for the seed's phones without softkeys, null when the list does not say.
 */
export function modelOf(type: number | null): { model: string | null; softkey: boolean; hasSoftkeys: boolean | null } {
    if (type === null) return { model: null, softkey: false, hasSoftkeys: null };
    for (const m of CALLBACK_MODELS)
        if (m.codes.includes(type))
            return { model: m.model, softkey: m.role === "softkey", hasSoftkeys: m.role === "softkey" };
    return { model: DEVICE_TYPES[type] ?? `DeviceType${type}`, softkey: false, hasSoftkeys: null };
}

/** Collects the templates and sets the devices and CallManagers refer to, while exporting. */
export class KnowledgeTables {
    readonly templates: TemplateData[] = [];
    readonly sets: SetsData[] = [];
    readonly #seen = new Set<number>();

    template(t: SoftKeyTemplate | null): number | null {
        if (t === null) return null;
        if (!this.#seen.has(t.id)) {
            this.#seen.add(t.id);
            this.templates.push({ id: t.id, events: [...t.events], labels: [...t.labels], codes: [...t.codes] });
        }
        return t.id;
    }

    set(s: SoftKeySets | null): number | null {
        if (s === null) return null;
        if (!this.#seen.has(s.id)) {
            this.#seen.add(s.id);
            this.sets.push({ id: s.id, sets: s.sets.map((x) => [...x]) });
        }
        return s.id;
    }
}

/** The plain form of one device's facts and lines. */
export function deviceSnapshot(d: DeviceFacts, lines: readonly LineFacts[], tables: KnowledgeTables): DeviceSnapshot {
    return {
        key: d.key,
        name: d.name,
        mac: d.mac,
        ip: d.ip,
        stationIp: d.stationIp,
        deviceType: d.deviceType,
        firmware: d.firmware,
        protocolVersion: d.protocolVersion,
        cmProtocolVersion: d.cmProtocolVersion,
        keepAliveS: d.keepAliveS,
        secondaryKeepAliveS: d.secondaryKeepAliveS,
        dateTemplate: d.dateTemplate,
        userName: d.userName,
        serverName: d.serverName,
        homeCm: d.homeCm,
        mode: d.mode,
        template: tables.template(d.template),
        sets: tables.set(d.sets),
        clock: d.clock === null ? null : { ...d.clock },
        learnedBy: d.learnedBy,
        learnedAt: d.learnedAt,
        lastSeen: d.lastSeen,
        lines: lines.map((l) => ({
            instance: l.instance,
            dn: l.dn,
            dnSource: l.dnSource,
            displayName: l.displayName,
            label: l.label,
            forwarding: l.forwarding === null ? null : { ...l.forwarding },
            learnedAt: l.learnedAt,
        })),
    };
}

/** Resolves a snapshot's template and set tables into the interned objects the live model uses. */
export class RestoredTables {
    readonly #templates = new Map<number, SoftKeyTemplate>();
    readonly #sets = new Map<number, SoftKeySets>();

    constructor(k: Pick<KnowledgeSnapshot, "templates" | "sets">) {
        for (const t of k.templates) this.#templates.set(t.id, templateOf(t.events, t.labels, t.codes));
        for (const s of k.sets) this.#sets.set(s.id, setsOf(s.sets));
    }

    template(id: number | null): SoftKeyTemplate | null {
        return id === null ? null : (this.#templates.get(id) ?? null);
    }

    set(id: number | null): SoftKeySets | null {
        return id === null ? null : (this.#sets.get(id) ?? null);
    }
}

/** A device's facts from their plain form (marked restored). */
export function restoredFacts(s: DeviceSnapshot, tables: RestoredTables): DeviceFacts {
    const { lines: _lines, template, sets, ...rest } = s;
    return { ...rest, template: tables.template(template), sets: tables.set(sets), restored: true };
}

/**
 * What a phone lacks for Call Back: a template that names the CallBack key (its own or its CallManager's;
 * not asked of models without softkeys) and at least one line number.
 */
export function missingFacts(
    hasTemplate: boolean,
    lines: readonly Pick<LineFacts, "dn">[],
    hasSoftkeys: boolean | null,
): Missing[] {
    const missing: Missing[] = [];
    if (!hasTemplate && hasSoftkeys !== false) missing.push("callback-key");
    if (!lines.some((l) => l.dn !== null)) missing.push("numbers");
    return missing;
}

/** The phones of a snapshot that lack what Call Back needs (their own template, or their CallManager's). */
export function lackingInSnapshot(k: KnowledgeSnapshot): { device: DeviceSnapshot; missing: Missing[] }[] {
    const cmTemplate = new Map(k.callManagers.map((c) => [c.address, c.template]));
    const out = [];
    for (const d of k.devices) {
        const template = d.template ?? (d.homeCm === null ? null : (cmTemplate.get(d.homeCm) ?? null));
        const missing = missingFacts(template !== null, d.lines, modelOf(d.deviceType).hasSoftkeys);
        if (missing.length > 0) out.push({ device: d, missing });
    }
    return out;
}

/** Alarm text for unlearned phones: how many, the first names, and the remedy. */
export function unlearnedText(phones: readonly UnlearnedPhone[]): string {
    return (
        `${phones.length === 1 ? "1 phone with traffic lacks" : `${phones.length} phones with traffic lack`} the CallBack key or their numbers ` +
        `(${firstNames(phones)}): reset these phones from CallManager, or wait for their next registration`
    );
}

/** "SEP…, SEP… and 3 more" for alarm texts. */
function firstNames(phones: readonly UnlearnedPhone[], max = 5): string {
    const names = phones.slice(0, max).map((p) => p.name ?? p.device);
    const more = phones.length - names.length;
    return more > 0 ? `${names.join(", ")} and ${more} more` : names.join(", ");
}
