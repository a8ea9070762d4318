/**
 * Knowledge in and out of the model: export for a snapshot, restore before traffic, and the summaries of
 * what was learned (the record formats are in knowledge.ts).
 */

import { deviceRecord } from "./devices.js";
import {
    deviceSnapshot,
    type KnowledgeExport,
    type KnowledgeSnapshot,
    type KnowledgeSummary,
    KnowledgeTables,
    RestoredTables,
    restoredFacts,
    type UnlearnedPhone,
} from "./knowledge.js";
import { listDn } from "./lines.js";
import { armScan, type Line, MAX_CM_TEMPLATES, MAX_LINE_INSTANCE, type ModelState } from "./state.js";
import { missing } from "./views.js";

/**
 * The knowledge for a snapshot: the shared tables, and per device its key, its revision (moves when its
 * facts change) and its plain form on demand, so a writer re-encodes only the devices that changed.
 * Devices by key: the same knowledge always gives the same bytes.
 */
export function knowledgeExport(s: ModelState): KnowledgeExport {
    const tables = new KnowledgeTables();
    const devices: KnowledgeExport["devices"] = [];
    for (const key of [...s.devices.keys()].sort()) {
        const d = s.devices.get(key)!;
        tables.template(d.template);
        tables.set(d.sets);
        devices.push({
            key,
            rev: d.rev,
            snapshot: () =>
                deviceSnapshot(
                    d,
                    d.lines.filter((l): l is Line => l !== undefined),
                    tables,
                ),
        });
    }
    const callManagers = [...s.cmSoftKeys].map(([address, e]) => ({
        address,
        template: tables.template(e.template),
        sets: tables.set(e.sets),
        learnedAt: e.learnedAt,
    }));
    return { templates: tables.templates, sets: tables.sets, callManagers, devices };
}

/** The knowledge in plain form (tests, replication, `callbackd snapshot`). */
export function exportKnowledge(s: ModelState): KnowledgeSnapshot {
    const { devices, ...rest } = knowledgeExport(s);
    return { ...rest, devices: devices.map((d) => d.snapshot()) };
}

/**
 * Restores knowledge from a snapshot, before any traffic: it serves at once (names, numbers, the CallBack
 * key, the phone's clock); a device is confirmed when its traffic is seen again and replaced by a new
 * registration. Devices the model knows already keep what it learned. Returns the devices restored.
 */
export function restoreKnowledge(s: ModelState, k: KnowledgeSnapshot): number {
    const tables = new RestoredTables(k);
    for (const cm of k.callManagers) {
        if (s.cmSoftKeys.has(cm.address) || s.cmSoftKeys.size >= MAX_CM_TEMPLATES) continue;
        s.cmSoftKeys.set(cm.address, {
            template: tables.template(cm.template),
            sets: tables.set(cm.sets),
            learnedAt: cm.learnedAt,
        });
    }
    // the most recently seen first, when the snapshot holds more than the model may
    const list = [...k.devices].sort((a, b) => b.lastSeen - a.lastSeen);
    let n = 0;
    for (const snap of list) {
        if (s.devices.size >= s.maxDevices) break;
        if (s.devices.has(snap.key)) continue;
        const d = deviceRecord(restoredFacts(snap, tables));
        s.devices.set(d.key, d);
        if (d.ip !== null && !s.byIp.has(d.ip)) s.byIp.set(d.ip, d);
        for (const ls of snap.lines) {
            if (ls.instance <= 0 || ls.instance > MAX_LINE_INSTANCE) continue;
            const l: Line = {
                ...ls,
                forwarding: ls.forwarding === null ? null : { ...ls.forwarding },
                device: d,
                calls: [],
                uncertain: false,
                state: "unknown",
            };
            d.lines[l.instance] = l;
            listDn(s, l);
        }
        n++;
    }
    armScan(s);
    return n;
}

/** Counts by how devices were learned, for `show cluster knowledge` and the MQTT status. */
export function knowledgeSummary(s: ModelState): KnowledgeSummary {
    const sum: KnowledgeSummary = {
        devices: s.devices.size,
        registration: 0,
        restored: 0,
        confirmed: 0,
        inferred: 0,
        unlearned: 0,
    };
    for (const d of s.devices.values()) {
        if (d.seenAt !== null && missing(s, d).length > 0) sum.unlearned++;
        else if (d.restored) {
            sum.restored++;
            if (d.seenAt !== null) sum.confirmed++;
        } else if (d.learnedBy === "registration") sum.registration++;
        else sum.inferred++;
    }
    return sum;
}

/** Phones with traffic this run that lack the CallBack key or their numbers (sorted by key). */
export function unlearnedPhones(s: ModelState): UnlearnedPhone[] {
    const out: UnlearnedPhone[] = [];
    for (const d of s.devices.values()) {
        if (d.seenAt === null) continue;
        const lacks = missing(s, d);
        if (lacks.length > 0) out.push({ device: d.key, name: d.name, ip: d.ip, seenAt: d.seenAt, missing: lacks });
    }
    return out.sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
}
