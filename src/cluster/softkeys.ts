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
    /** Unique in this process (a snapshot's devices refer to their template by it). */
    readonly id: number;
    readonly events: readonly number[];
    readonly labels: readonly string[];
    /** Label number for `0x80 n` labels, else null. */
    readonly codes: readonly (number | null)[];
    /** Event number of the CallBack key, or null. */
    readonly callBackEvent: number | null;
}

/** Interned softkey sets: per set index, the 1-based template slots (0 = empty). */
export interface SoftKeySets {
    /** Unique in this process. */
    readonly id: number;
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
/** Ids of interned templates and sets (never reused in a process). */
let nextId = 1;
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
    return templateOf(events, labels, codes);
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
    return setsOf(sets);
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

/** The interned template of restored data (a snapshot): the same object a live SoftKeyTemplateRes would give. */
export function templateOf(
    events: readonly number[],
    labels: readonly string[],
    codes: readonly (number | null)[],
): SoftKeyTemplate {
    const n = Math.min(events.length, labels.length, codes.length, MAX_KEYS);
    const ev = events.slice(0, n);
    const lb = labels.slice(0, n);
    const cd = codes.slice(0, n);
    const key = `${ev.join(",")}|${cd.join(",")}|${lb.join("\u0000")}`;
    return intern(templatePool, key, () => {
        const i = cd.indexOf(LABEL_CALLBACK);
        return Object.freeze({
            id: nextId++,
            events: Object.freeze(ev),
            labels: Object.freeze(lb),
            codes: Object.freeze(cd),
            callBackEvent: i < 0 ? null : ev[i]!,
        });
    });
}

/** The interned sets of restored data (a snapshot). */
export function setsOf(sets: readonly (readonly number[])[]): SoftKeySets {
    const list = sets.slice(0, MAX_SETS).map((s) => [...s]);
    const key = list.map((s) => s.join(",")).join("|");
    return intern(setPool, key, () =>
        Object.freeze({ id: nextId++, sets: Object.freeze(list.map((s) => Object.freeze(s))) }),
    );
}
