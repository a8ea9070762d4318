/**
 * Reading and writing protobufjs message objects field by field, for the snapshot codecs: absent optional
 * fields are null, enums are 1-based names (0 is "unspecified" and refused), bad values are StoreErrors.
 */
import { StoreError } from "./slots.js";

/** A decoded (or to be encoded) protobufjs message object. */
export type Msg = Record<string, unknown>;

export function bad(what: string): StoreError {
    return new StoreError("STORE_SNAPSHOT_INVALID", `snapshot payload: ${what}`);
}

/** Enum value (1-based in the schema: 0 is "unspecified"). */
export function enumOut<T>(values: readonly T[], v: T): number {
    return values.indexOf(v) + 1;
}

export function enumIn<T>(values: readonly T[], v: unknown, what: string): T {
    const x = typeof v === "number" ? values[v - 1] : undefined;
    if (x === undefined) throw bad(`${what}: unexpected value ${String(v)}`);
    return x;
}

/** A field present on the wire: decode sets those as own properties (defaults live on the prototype). */
export function has(m: Msg, k: string): boolean {
    return Object.hasOwn(m, k) && m[k] !== null && m[k] !== undefined;
}

export function optNum(m: Msg, k: string): number | null {
    return has(m, k) ? (m[k] as number) : null;
}

export function optStr(m: Msg, k: string): string | null {
    return has(m, k) ? (m[k] as string) : null;
}

export function sub(m: Msg, k: string, what: string): Msg {
    if (!has(m, k)) throw bad(`${what}.${k} missing`);
    return m[k] as Msg;
}

/** Sets an optional field unless the value is null (absent = null). */
export function put(m: Msg, k: string, v: unknown): void {
    if (v !== null && v !== undefined) m[k] = v;
}
