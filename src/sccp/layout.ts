/**
 * Compiles the layout notation of `tables/layouts.ts` into field programs the codec interprets.
 * Done once at module load; the codec then only switches on small integer op codes.
 */
import type { ArrayDef, FieldDef, LayoutVariantSpec } from "./tables/layouts.js";

/** Field op codes (plain numbers so the codec's switch stays monomorphic). */
export const Op = {
    U8: 0,
    U16: 1,
    U32: 2,
    IPV4: 3,
    IP46: 4,
    IP16: 5,
    STR: 6,
    LABEL: 7,
    CSTR: 8,
    LCSTR: 9,
    DATA: 10,
    HEX: 11,
    U8X: 12,
    U16X: 13,
    PAD: 14,
    ARRAY: 15,
} as const;

/** One of the `Op` codes. */
export type OpCode = (typeof Op)[keyof typeof Op];

/** One compiled field. `size` is its byte size, or -1 when variable (cstr, data). */
export interface CField {
    readonly op: OpCode;
    readonly name: string;
    readonly size: number;
    /** Element count of U8X/U16X, or characters of STR/LABEL. */
    readonly len: number;
    /** LABEL/LCSTR: name of the companion field holding the wire text with label codes. */
    readonly codes: string;
    /** IP46: names of the v4 and v6 forms. */
    readonly v4: string;
    readonly v6: string;
    /** DATA: field holding the byte count. ARRAY: field holding the entry count. */
    readonly ref: string;
    /** U32 that counts an array (its value is derived from the array on encode). */
    readonly countOf: string;
    /** ARRAY: fields of one slot, slot size and slot count. */
    readonly sub: readonly CField[];
    readonly slot: number;
    readonly max: number;
}

/** One compiled body layout. */
export interface CVariant {
    readonly fields: readonly CField[];
    /** Fixed body size; for dyn/open variants the size of the fixed prefix. */
    readonly size: number;
    readonly dyn: boolean;
    readonly open: boolean;
    readonly hvMin: number;
    readonly hvMax: number;
    /** Sorted logical field names (ip46 by base, label by name), used to group same-shape variants. */
    readonly shape: string;
    /** Variants of the same message with the same shape, in declaration order (this one included). */
    group: CVariant[];
}

/** All layouts of one message id. */
export interface CMessage {
    readonly id: number;
    readonly variants: readonly CVariant[];
    /** Fixed-size variants by body size. */
    readonly bySize: ReadonlyMap<number, readonly CVariant[]>;
    /** Dynamic and open variants in declaration order. */
    readonly flexible: readonly CVariant[];
    /** Largest body any variant can hold; used to judge resync candidates (Infinity when unbounded). */
    readonly maxBody: number;
    /** Smallest body any variant has (the fixed prefix for dynamic ones); also for resync candidates. */
    readonly minBody: number;
}

const BLANK = {
    codes: "",
    v4: "",
    v6: "",
    ref: "",
    countOf: "",
    sub: [] as readonly CField[],
    slot: 0,
    max: 0,
    len: 0,
};

function field(op: OpCode, name: string, size: number, extra: Partial<CField> = {}): CField {
    return { ...BLANK, op, name, size, ...extra };
}

/** Parses one notation string ("u32 name", "str24 name", "pad3", ...). */
export function compileField(def: string): CField {
    const m = /^([a-z]+)(\d*)(?:x(\d+))?(?: (\S+))?(?: (\S+))?$/.exec(def);
    if (m === null) throw new Error(`bad layout field "${def}"`);
    const kind = m[1] as string;
    const n = m[2] === "" || m[2] === undefined ? 0 : Number(m[2]);
    const name = m[4] ?? "";
    switch (kind) {
        case "u":
            if (m[3] !== undefined) {
                const count = Number(m[3]);
                if (n === 8) return field(Op.U8X, name, count, { len: count });
                if (n === 16) return field(Op.U16X, name, 2 * count, { len: count });
                break;
            }
            if (n === 8) return field(Op.U8, name, 1);
            if (n === 16) return field(Op.U16, name, 2);
            if (n === 32) return field(Op.U32, name, 4);
            break;
        case "ipv":
            if (n === 4) return field(Op.IPV4, name, 4);
            break;
        case "ip":
            if (n === 46) return field(Op.IP46, name, 16, { v4: `${name}.ipv4`, v6: `${name}.ipv6` });
            if (n === 16) return field(Op.IP16, name, 16);
            break;
        case "str":
            return field(Op.STR, name, n, { len: n });
        case "label":
            return field(Op.LABEL, name, n, { len: n, codes: `${name}Codes` });
        case "cstr":
            return field(Op.CSTR, name, -1);
        case "lcstr":
            return field(Op.LCSTR, name, -1, { codes: `${name}Codes` });
        case "data":
            return field(Op.DATA, name, -1, { ref: m[5] ?? "" });
        case "hex":
            return field(Op.HEX, name, n, { len: n });
        case "pad":
            return field(Op.PAD, "", n, { len: n });
    }
    throw new Error(`bad layout field "${def}"`);
}

function compileArray(def: ArrayDef): CField {
    const sub = def.of.map(compileField);
    const slot = sub.reduce((s, f) => s + f.size, 0);
    return field(Op.ARRAY, def.array, slot * def.max, { sub, slot, max: def.max, ref: def.count });
}

/** Logical name of a field: ip46 by base, a plain IPv4 named "x.ipv4" as "x" (so v4 and v4/v6 forms differ only by ipv4or6). */
export function logicalName(f: CField): string {
    if (f.op === Op.IPV4 && f.name.endsWith(".ipv4")) return f.name.slice(0, -5);
    return f.name;
}

/** Compiles the variants of one message id. */
export function compileMessage(id: number, specs: readonly LayoutVariantSpec[]): CMessage {
    const variants: CVariant[] = specs.map((spec) => {
        const raw: CField[] = spec.fields.map((d: FieldDef) =>
            typeof d === "string" ? compileField(d) : compileArray(d),
        );
        // Link array counts so the encoder derives them from the array length.
        const counts = new Map(raw.filter((f) => f.op === Op.ARRAY).map((f) => [f.ref, f]));
        const fields = raw.map((f) => {
            const a = f.op === Op.U32 ? counts.get(f.name) : undefined;
            return a === undefined ? f : { ...f, countOf: a.name, max: a.max };
        });
        let size = 0;
        for (const f of fields) if (f.size > 0) size += f.size;
        const hv = spec.hv ?? [0, 0xffffffff];
        const shape = fields
            .filter((f) => f.op !== Op.PAD)
            .map(logicalName)
            .sort()
            .join(",");
        return {
            fields,
            size,
            dyn: spec.dyn === true,
            open: spec.open === true,
            hvMin: hv[0],
            hvMax: hv[1],
            shape,
            group: [],
        };
    });
    for (const v of variants) v.group = variants.filter((w) => w.shape === v.shape);
    const bySize = new Map<number, CVariant[]>();
    const flexible: CVariant[] = [];
    let maxBody = 0;
    for (const v of variants) {
        if (v.dyn || v.open) {
            flexible.push(v);
            maxBody = Number.POSITIVE_INFINITY;
            continue;
        }
        const list = bySize.get(v.size);
        if (list === undefined) bySize.set(v.size, [v]);
        else list.push(v);
        if (v.size > maxBody) maxBody = v.size;
    }
    const minBody = variants.length === 0 ? 0 : Math.min(...variants.map((v) => v.size));
    return { id, variants, bySize, flexible, maxBody, minBody };
}

/** True when header version `hv` is inside the variant's canonical range. */
export function inRange(v: CVariant, hv: number): boolean {
    return hv >= v.hvMin && hv <= v.hvMax;
}

/** True when the variant can hold `fields`: arrays within their slots, fixed strings within their size. */
function fits(v: CVariant, fields: Readonly<Record<string, unknown>>): boolean {
    for (const f of v.fields) {
        if (f.op === Op.ARRAY) {
            const a = fields[f.name];
            if (Array.isArray(a) && a.length > f.max) return false;
        } else if (f.op === Op.STR || f.op === Op.LABEL) {
            const c = f.op === Op.LABEL ? fields[f.codes] : undefined;
            const s = typeof c === "string" ? c : fields[f.name];
            if (typeof s === "string" && s.length > f.len) return false;
        }
    }
    return true;
}

/**
 * The variant the encoder uses for `v`'s shape at header version `hv`: the first of its group whose
 * version range holds `hv` and that can hold the fields, else the first that can hold them, else the biggest.
 */
export function canonicalOf(v: CVariant, hv: number, fields: Readonly<Record<string, unknown>>): CVariant {
    const g = v.group;
    if (g.length === 1) return v;
    for (const w of g) if (inRange(w, hv) && fits(w, fields)) return w;
    for (const w of g) if (fits(w, fields)) return w;
    // Nothing holds the fields: the biggest layout truncates least.
    let big = g[0] as CVariant;
    for (const w of g) if (w.size > big.size) big = w;
    return big;
}
