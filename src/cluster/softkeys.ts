/**
 * Softkey templates and sets as learned from SoftKeyTemplateRes / SoftKeySetRes. The event number a phone
 * sends in SoftKeyEvent is the CallManager's choice; the key's identity is its label (CallBack = 0x80 0x41).
 * Identical templates are interned, so 20,000 phones of one cluster share one object.
 */
import type { SccpFields, SccpValue } from "../sccp/codec.js";
import { LABEL_CALLBACK } from "../sccp/tables/labels.js";

/** Softkey set indexes the Call Back checklist cares about (SCCP-REFERENCE §3.4). */
export const SET_ON_HOOK = 0;
export const SET_CONNECTED_TRANSFER = 5;
export const SET_RING_OUT = 8;

/** Template slots (SoftKeyTemplateRes carries 32) and sets (SoftKeySetRes carries 16) kept at most. */
const MAX_KEYS = 64;
const MAX_SETS = 32;
/** Distinct templates (and set lists) kept interned; the oldest is forgotten beyond it. */
export const INTERN_CAP = 256;

/** An interned softkey template: slot → (event, label). */
export interface SoftKeyTemplate {
    readonly events: readonly number[];
    readonly labels: readonly string[];
    /** Label number for `0x80 n` labels, else null. */
    readonly codes: readonly (number | null)[];
    /** Event number of the CallBack key, or null. */
    readonly callBackEvent: number | null;
}

/** Interned softkey sets: per set index, the 1-based template slots (0 = empty). */
export interface SoftKeySets {
    readonly sets: readonly (readonly number[])[];
}

function asArray(v: SccpValue | undefined): SccpFields[] {
    return Array.isArray(v) && (v.length === 0 || typeof v[0] === "object") ? (v as SccpFields[]) : [];
}

function num(v: SccpValue | undefined): number {
    return typeof v === "number" ? v : 0;
}

/** Label number of the first `0x80 n` label in a wire string, else null. */
export function labelCode(codes: string | undefined): number | null {
    if (codes === undefined) return null;
    const i = codes.indexOf("\u0080");
    if (i < 0 || i + 1 >= codes.length) return null;
    return codes.charCodeAt(i + 1);
}

/** Interning pools (module-wide: templates are the same across models in one process, and immutable). */
const templatePool = new Map<string, SoftKeyTemplate>();
const setPool = new Map<string, SoftKeySets>();

/** How many templates and set lists are interned now (diagnostics and tests: never more than INTERN_CAP). */
export function internedCounts(): { templates: number; sets: number } {
    return { templates: templatePool.size, sets: setPool.size };
}

function intern<T>(pool: Map<string, T>, key: string, make: () => T): T {
    const hit = pool.get(key);
    if (hit !== undefined) return hit;
    if (pool.size >= INTERN_CAP) pool.delete(pool.keys().next().value as string);
    const v = make();
    pool.set(key, v);
    return v;
}

/**
 * Merges one SoftKeyTemplateRes into `prev` (a template is sent in pages: softKeyOffset/softKeyCount) and
 * returns the interned result. A page at offset 0 starts a new template.
 */
export function mergeTemplate(prev: SoftKeyTemplate | null, f: SccpFields): SoftKeyTemplate {
    const offset = Math.min(num(f.softKeyOffset), MAX_KEYS);
    const events = offset === 0 || prev === null ? [] : prev.events.slice(0, offset);
    const labels = offset === 0 || prev === null ? [] : prev.labels.slice(0, offset);
    const codes = offset === 0 || prev === null ? [] : prev.codes.slice(0, offset);
    while (events.length < offset) {
        events.push(-1);
        labels.push("");
        codes.push(null);
    }
    for (const d of asArray(f.definition)) {
        if (events.length >= MAX_KEYS) break;
        events.push(num(d.softKeyEvent));
        labels.push(typeof d.softKeyLabel === "string" ? d.softKeyLabel : "");
        codes.push(labelCode(typeof d.softKeyLabelCodes === "string" ? d.softKeyLabelCodes : undefined));
    }
    const key = `${events.join(",")}|${codes.join(",")}|${labels.join("\u0000")}`;
    return intern(templatePool, key, () => {
        let callBackEvent: number | null = null;
        for (let i = 0; i < codes.length; i++) {
            if (codes[i] === LABEL_CALLBACK) {
                callBackEvent = events[i]!;
                break;
            }
        }
        return Object.freeze({
            events: Object.freeze(events),
            labels: Object.freeze(labels),
            codes: Object.freeze(codes),
            callBackEvent,
        });
    });
}

/** Merges one SoftKeySetRes page into `prev` and returns the interned result. */
export function mergeSets(prev: SoftKeySets | null, f: SccpFields): SoftKeySets {
    const offset = Math.min(num(f.softKeySetOffset), MAX_SETS);
    const sets: (readonly number[])[] = offset === 0 || prev === null ? [] : prev.sets.slice(0, offset);
    while (sets.length < offset) sets.push([]);
    for (const d of asArray(f.definition)) {
        if (sets.length >= MAX_SETS) break;
        const idx = d.softKeyTemplateIndex;
        sets.push(Array.isArray(idx) ? (idx as number[]).filter((x) => typeof x === "number") : []);
    }
    const key = sets.map((s) => s.join(",")).join("|");
    return intern(setPool, key, () => Object.freeze({ sets: Object.freeze(sets.map((s) => Object.freeze(s))) }));
}

/** Template slot of an event number, or -1. */
export function slotOfEvent(t: SoftKeyTemplate, event: number): number {
    return t.events.indexOf(event);
}

/** True/false when the set is known and holds the CallBack key; null when not learned. */
export function callBackInSet(t: SoftKeyTemplate | null, s: SoftKeySets | null, set: number): boolean | null {
    if (t === null || s === null) return null;
    const slots = s.sets[set];
    if (slots === undefined) return false;
    for (const slot of slots) if (slot > 0 && t.codes[slot - 1] === LABEL_CALLBACK) return true;
    return false;
}
