/**
 * JSON-like objects addressed by key paths, shared by the config loader, the saved/desired configuration and
 * the MQTT config commands. Keys are written as own data properties, so a key such as "__proto__" in a
 * user's document stays data and never reaches a prototype.
 */

/** A parsed JSON object. */
export type PlainObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isPlainObject(v: unknown): v is PlainObject {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Own-property assignment that keeps keys such as "__proto__" as data. */
export function putOwn(target: PlainObject, key: string, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value at an object path, or undefined when a step is missing or not an object. */
export function getAt(root: unknown, parts: readonly string[]): unknown {
    let node = root;
    for (const p of parts) {
        if (!isPlainObject(node) || !Object.hasOwn(node, p)) return undefined;
        node = node[p];
    }
    return node;
}
