/** The subset of JSON Schema (draft-07) the configuration uses, with the project's custom keywords. */
import type { ParameterUnit } from "./parameters.js";

export type JsonType = "integer" | "number" | "string" | "boolean" | "object" | "array" | "null";

/** The subset of JSON Schema this project uses, plus the custom keywords. */
export interface SchemaNode {
    type?: JsonType | JsonType[];
    title?: string;
    description?: string;
    default?: unknown;
    properties?: Record<string, SchemaNode>;
    required?: string[];
    additionalProperties?: boolean | SchemaNode;
    propertyNames?: SchemaNode;
    items?: SchemaNode;
    minItems?: number;
    maxItems?: number;
    uniqueItems?: boolean;
    minimum?: number;
    maximum?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
    /** Custom keyword: what `pattern` means, used in error messages. */
    patternHint?: string;
    enum?: readonly unknown[];
    /** Custom keyword: a change only takes effect after a restart. */
    requiresRestart?: boolean;
    /** Custom keyword: unit of a numeric value. */
    unit?: Exclude<ParameterUnit, null>;
}

/** The `default` keywords of a section's leaves as a plain object (the schema is where defaults live). */
export function defaultsOf<T>(section: SchemaNode): T {
    const out: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(section.properties ?? {})) {
        out[name] = child.properties === undefined ? structuredClone(child.default) : defaultsOf(child);
    }
    return out as T;
}
