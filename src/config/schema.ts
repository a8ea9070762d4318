/**
 * JSON schema (draft-07, validated by ajv) of the config file. Hand-written sections (capture, reassembly,
 * log) plus the sections generated from the service parameter table. Every leaf carries the custom
 * `requiresRestart` keyword (as zigbee2mqtt does) and optionally `unit`, so the schema answers
 * "does changing key X need a restart?" by itself.
 */
import { createRequire } from "node:module";
import type { ErrorObject, ValidateFunction } from "ajv";
import { ConfigError } from "../errors.js";
import { LOG_LEVELS, NAMESPACE_PATTERN } from "../logging/levels.js";
import { isSecretKey } from "../logging/redact.js";
import { type ParameterUnit, SERVICE_PARAMETERS, type ServiceParameter } from "./parameters.js";
import type { SchemaNode } from "./schemaNode.js";
import { CONSOLE_SECTION_SCHEMA } from "./sections/console.js";
import { MQTT_SECTION_SCHEMA } from "./sections/mqtt.js";
import { closest } from "./suggest.js";
import type { ConfigShape } from "./types.js";

export type { SchemaNode };

/** The root of the schema. */
export interface RootSchema extends SchemaNode {
    $schema: string;
    $id: string;
    properties: Record<string, SchemaNode>;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** Integer leaf. */
function int(
    def: number,
    min: number,
    max: number,
    unit: Exclude<ParameterUnit, null>,
    restart: boolean,
    description: string,
): SchemaNode {
    return { type: "integer", default: def, minimum: min, maximum: max, unit, requiresRestart: restart, description };
}

/** Nullable string leaf. */
function optionalString(maxLength: number, restart: boolean, description: string): SchemaNode {
    return { type: ["string", "null"], default: null, minLength: 1, maxLength, requiresRestart: restart, description };
}

const PORT: SchemaNode = { type: "integer", minimum: 1, maximum: 65535 };
/** A TCP port 0..65535 as text, without leading zeros (0: any free port, for tests). */
const PORT_OR_ZERO = "(0|[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])";

/** Schema leaf for one service parameter. */
function parameterNode(p: ServiceParameter): SchemaNode {
    const node: SchemaNode = { type: p.type, title: p.name, description: p.description, default: p.default };
    if (p.min !== undefined) node.minimum = p.min;
    if (p.max !== undefined) node.maximum = p.max;
    if (p.pattern !== undefined) node.pattern = p.pattern;
    if (p.patternHint !== undefined) node.patternHint = p.patternHint;
    if (p.unit !== null) node.unit = p.unit;
    node.requiresRestart = p.requiresRestart;
    return node;
}

/** Object node that rejects unknown keys. */
function section(description: string, properties: Record<string, SchemaNode>): SchemaNode {
    return { type: "object", description, additionalProperties: false, properties };
}

/** Builds the whole schema: hand-written sections, then each parameter merged into its (possibly new) section. */
export function buildSchema(parameters: readonly ServiceParameter[] = SERVICE_PARAMETERS): RootSchema {
    const properties: Record<string, SchemaNode> = {
        capture: section("Packet source and which TCP ports are kept.", {
            interface: optionalString(
                256,
                true,
                "Live interface to capture on (e.g. eth0); null: none, use file or demo.",
            ),
            file: optionalString(4096, true, "pcap/pcapng file to read; null: none."),
            sccpPorts: {
                type: "array",
                items: PORT,
                minItems: 1,
                maxItems: 16,
                uniqueItems: true,
                default: [2000],
                requiresRestart: true,
                description: "TCP ports carrying SCCP (Skinny).",
            },
            qbePorts: {
                type: ["array", "null"],
                items: PORT,
                maxItems: 16,
                uniqueItems: true,
                default: null,
                requiresRestart: true,
                description: "TCP ports carrying CTI/QBE; null: [cti.port].",
            },
            filter: optionalString(
                1024,
                true,
                "BPF filter override; null: built from the ports (tcp port 2000 or tcp port 2748).",
            ),
            bufferSizeBytes: int(10 * MiB, 64 * KiB, 1024 * MiB, "bytes", true, "Kernel capture buffer size."),
            snapLength: int(65535, 64, 262144, "bytes", true, "Bytes kept of each packet."),
            promiscuous: {
                type: "boolean",
                default: true,
                requiresRestart: true,
                description: "Put the interface in promiscuous mode (needed on a mirror port).",
            },
        }),
        reassembly: section("TCP stream reassembly bounds.", {
            maxConnections: int(
                65536,
                1,
                1048576,
                "count",
                true,
                "Connections tracked at once; the oldest idle is evicted.",
            ),
            maxOutOfOrderBytesPerDirection: int(
                256 * KiB,
                0,
                16 * MiB,
                "bytes",
                true,
                "Out-of-order bytes buffered per direction.",
            ),
            maxOutOfOrderSegmentsPerDirection: int(
                256,
                0,
                65536,
                "count",
                true,
                "Out-of-order segments buffered per direction.",
            ),
            gapTimeoutMs: int(2000, 0, 600000, "ms", true, "Wait for a missing segment before skipping the gap."),
            idleTimeoutS: int(300, 1, 86400, "s", true, "Forget a connection idle this long."),
            memoryCapBytes: int(
                64 * MiB,
                1 * MiB,
                2048 * MiB,
                "bytes",
                true,
                "Total reassembly memory across connections.",
            ),
        }),
        log: section("Structured logging (pino, JSON lines on stdout).", {
            level: {
                type: "string",
                enum: LOG_LEVELS,
                default: "info",
                requiresRestart: false,
                description: "Default level of every module.",
            },
            modules: {
                type: "object",
                propertyNames: { pattern: NAMESPACE_PATTERN },
                additionalProperties: { type: "string", enum: LOG_LEVELS, requiresRestart: false },
                default: {},
                requiresRestart: false,
                description: "Module namespace (e.g. wire.reassembly) to level; covers sub-namespaces.",
            },
            pretty: {
                type: "boolean",
                default: false,
                requiresRestart: false,
                description: "Human-readable lines instead of JSON.",
            },
        }),
        phones: section("How the box reaches the phones (XSI push) and what it plays.", {
            pushUrl: {
                type: "string",
                minLength: 1,
                maxLength: 512,
                default: "http://{ip}/CGI/Execute",
                requiresRestart: false,
                description: "Push target template; placeholders {ip}, {device}, {mac}.",
            },
            pushUser: optionalString(128, false, "User (associated with the phones) for HTTP Basic auth of pushes."),
            pushPassword: optionalString(128, false, "That user's password (never logged or published)."),
        }),
        http: section("The phone-facing HTTP service (screens and softkeys).", {
            listen: {
                type: "string",
                pattern: `^(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Za-z.-]+):${PORT_OR_ZERO}$`,
                patternHint: "address:port with a port 0..65535, e.g. 0.0.0.0:8080 or [::]:8080",
                default: "0.0.0.0:8080",
                requiresRestart: true,
                description: "Address and port the phone-facing service listens on.",
            },
            publicUrl: optionalString(
                512,
                false,
                "Base URL phones use to reach the service (e.g. http://10.1.1.5:8080); null: from the listen address.",
            ),
        }),
        locale: section("Screen language.", {
            default: {
                type: "string",
                pattern: "^[a-z]{2}_[A-Z]{2}$",
                patternHint: "a locale such as en_US or de_DE",
                default: "en_US",
                requiresRestart: false,
                description: "Locale for phones with none in the directory and no Accept-Language.",
            },
        }),
        directory: {
            type: "array",
            maxItems: 100000,
            default: [],
            requiresRestart: false,
            description: "Phones that are not on this mirror port (static directory).",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["dn", "deviceName"],
                properties: {
                    dn: { type: "string", pattern: "^[0-9*#+]{1,24}$", patternHint: "digits, *, # or +" },
                    deviceName: { type: "string", minLength: 1, maxLength: 15 },
                    model: { type: "string", maxLength: 64 },
                    pushAddress: { type: "string", maxLength: 255 },
                    locale: { type: "string", pattern: "^[a-z]{2}_[A-Z]{2}$" },
                },
            },
        },
        mqtt: MQTT_SECTION_SCHEMA,
        console: CONSOLE_SECTION_SCHEMA,
        state: section("Where durable state lives.", {
            dir: optionalString(
                4096,
                true,
                "State directory (snapshots); null: $STATE_DIRECTORY under systemd, else ./state.",
            ),
        }),
    };
    for (const p of parameters) {
        const [sectionName, key, ...rest] = p.key.split(".");
        if (!sectionName || !key || rest.length > 0)
            throw new Error(`service parameter key must be <section>.<key>: ${p.key}`);
        let sec = properties[sectionName];
        if (sec === undefined) {
            sec = section(`Service parameters (${sectionName}).`, {});
            properties[sectionName] = sec;
        }
        const props = sec.properties!;
        if (props[key] !== undefined) throw new Error(`duplicate config key: ${p.key}`);
        props[key] = parameterNode(p);
    }
    return {
        $schema: "http://json-schema.org/draft-07/schema#",
        $id: "https://callbackd.invalid/config.schema.json",
        title: "callbackd configuration",
        type: "object",
        additionalProperties: false,
        required: Object.keys(properties),
        properties,
    };
}

/** The config schema. Treat as read-only. */
export const CONFIG_SCHEMA: RootSchema = buildSchema();

let validator: ValidateFunction | undefined;

/**
 * The validator of CONFIG_SCHEMA, precompiled at build time (ajv standalone code written by
 * scripts/gen-validators.mjs from validatorSource.ts) and loaded on first use: no schema compilation at start.
 */
export function getValidator(): ValidateFunction {
    if (validator === undefined) {
        validator = createRequire(import.meta.url)("./configValidator.generated.cjs") as ValidateFunction;
    }
    return validator;
}

/** Schema node at a dotted path (descends into map entries such as `log.modules.<ns>`), or undefined. */
export function schemaNode(path: string): SchemaNode | undefined {
    let node: SchemaNode | undefined = CONFIG_SCHEMA;
    const parts = path.split(".");
    for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        if (node === undefined || part === "" || part === undefined) return undefined;
        const props: Record<string, SchemaNode> | undefined = node.properties;
        if (props !== undefined && Object.hasOwn(props, part)) node = props[part];
        else if (typeof node.additionalProperties === "object") {
            // a map key may itself contain dots (log.modules.wire.reassembly): the rest of the path is the key
            return parts.slice(i).some((p) => p === "") ? undefined : node.additionalProperties;
        } else return undefined;
    }
    return node;
}

/** A configurable leaf: a value the file, the environment or an override can set. */
export interface LeafInfo {
    /** Dotted path, e.g. `cti.port`. */
    path: string;
    node: SchemaNode;
}

/** Every leaf of the schema in declaration order (maps such as `log.modules` count as one leaf). */
export function leaves(): LeafInfo[] {
    const out: LeafInfo[] = [];
    const walk = (node: SchemaNode, prefix: string): void => {
        for (const [name, child] of Object.entries(node.properties ?? {})) {
            const path = prefix ? `${prefix}.${name}` : name;
            if (child.properties !== undefined) walk(child, path);
            else out.push({ path, node: child });
        }
    };
    walk(CONFIG_SCHEMA, "");
    return out;
}

/** A suggestion for an unknown dotted key: a sibling within 2 edits, else a key of the same name elsewhere. */
export function suggestKey(path: string): string | undefined {
    const dot = path.lastIndexOf(".");
    const parent = dot < 0 ? "" : path.slice(0, dot);
    const name = path.slice(dot + 1);
    const parentNode = parent === "" ? CONFIG_SCHEMA : schemaNode(parent);
    const siblings = Object.keys(parentNode?.properties ?? {});
    const sibling = closest(name, siblings, 2);
    if (sibling !== undefined) return parent === "" ? sibling : `${parent}.${sibling}`;
    const all = leaves().map((l) => l.path);
    const byName = new Map(all.map((p) => [p.slice(p.lastIndexOf(".") + 1), p]));
    const other = closest(name, byName.keys(), 1);
    return other === undefined ? undefined : byName.get(other);
}

/** Unknown key error text, with a suggestion when one is close. */
export function unknownKeyReason(path: string): string {
    const suggestion = suggestKey(path);
    return suggestion === undefined ? "unknown key" : `unknown key (did you mean "${suggestion}"?)`;
}

/**
 * Whether changing the key at `path` needs a restart. A section answers true if any key in it does.
 * Throws ConfigError CONFIG_INVALID for a path the schema does not know.
 */
export function requiresRestart(path: string): boolean {
    const node = schemaNode(path);
    if (node === undefined) {
        throw new ConfigError("CONFIG_INVALID", `${path}: ${unknownKeyReason(path)}`, {
            errors: [{ key: path, reason: unknownKeyReason(path) }],
        });
    }
    return anyRestart(node);
}

/** True if the node or any node under it is marked requiresRestart. */
function anyRestart(node: SchemaNode): boolean {
    if (node.requiresRestart === true) return true;
    return Object.values(node.properties ?? {}).some(anyRestart);
}

/** A fresh, mutable copy of the defaults, taken from the schema's `default` keywords. */
export function defaultConfig(): ConfigShape {
    const build = (node: SchemaNode): unknown => {
        if (node.properties === undefined) return structuredClone(node.default);
        const out: Record<string, unknown> = {};
        for (const [name, child] of Object.entries(node.properties)) out[name] = build(child);
        return out;
    };
    return build(CONFIG_SCHEMA) as ConfigShape;
}

/** One problem found in a configuration. */
export interface ConfigProblem {
    /** Dotted path of the bad key, e.g. `cti.port` or `capture.sccpPorts[1]`; "(root)" for the whole file. */
    key: string;
    reason: string;
}

/** Short JSON rendering of an offending value for messages. */
function shown(value: unknown): string {
    const text = value === undefined ? "nothing" : JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Turns an ajv instancePath into a dotted path and looks the value up in `data`. */
function locate(instancePath: string, data: unknown): { key: string; value: unknown } {
    let key = "";
    let value = data;
    if (instancePath === "") return { key, value };
    for (const raw of instancePath.slice(1).split("/")) {
        const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
        if (Array.isArray(value)) {
            key += `[${part}]`;
            value = value[Number(part)];
        } else {
            key += key === "" ? part : `.${part}`;
            value = (value as Record<string, unknown> | undefined)?.[part];
        }
    }
    return { key, value };
}

/** Joins a parent path and a property name. */
function join(parent: string, name: string): string {
    return parent === "" ? name : `${parent}.${name}`;
}

/** Converts ajv errors into one problem per key and reason (`data` is what was validated). */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): ConfigProblem[] {
    const out: ConfigProblem[] = [];
    const seen = new Set<string>();
    for (const e of errors) {
        const { key: at, value } = locate(e.instancePath, data);
        const name = at.slice(at.lastIndexOf(".") + 1);
        const got = isSecretKey(name) ? "" : ` (got ${shown(value)})`;
        let key = at;
        let reason: string;
        if (e.keyword === "propertyNames") continue; // the nested error below carries the name
        if (e.propertyName !== undefined) {
            key = join(at, e.propertyName);
            reason = "is not a valid module namespace (letters, digits, _ and - separated by dots)";
        } else if (e.keyword === "additionalProperties") {
            key = join(at, String(e.params.additionalProperty));
            reason = unknownKeyReason(key);
        } else if (e.keyword === "required") {
            key = join(at, String(e.params.missingProperty));
            reason = "is required";
        } else if (e.keyword === "type") {
            reason = `must be ${String(e.params.type).split(",").join(" or ")}${got}`;
        } else if (e.keyword === "pattern" && schemaNode(at)?.patternHint !== undefined) {
            reason = `must be ${schemaNode(at)?.patternHint}${got}`;
        } else if (e.keyword === "enum") {
            reason = `must be one of ${(e.params.allowedValues as unknown[]).join(", ")}${got}`;
        } else {
            reason = `${e.message ?? e.keyword}${got}`;
        }
        const id = `${key}\u0000${reason}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ key: key === "" ? "(root)" : key, reason });
    }
    return out;
}
