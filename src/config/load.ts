/**
 * Loading: defaults (from the schema) < JSON file < CALLBACKD_* environment < overrides, then ajv validation.
 * Strict entry point: every problem becomes a ConfigError with a stable code.
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../errors.js";
import { isSecretKey } from "../logging/redact.js";
import { jsonTooDeep, parseJson } from "./json.js";
import {
    type ConfigProblem,
    defaultConfig,
    describeErrors,
    getValidator,
    type LeafInfo,
    leaves,
    requiresRestart,
    type SchemaNode,
    schemaNode,
} from "./schema.js";
import { closest } from "./suggest.js";
import type { Config, ConfigShape } from "./types.js";

/** Prefix of environment overrides. */
export const ENV_PREFIX = "CALLBACKD_";
/** Environment variable naming the config file when `file` is not given. */
export const ENV_CONFIG_FILE = "CALLBACKD_CONFIG";
/** CALLBACKD_* variables that are not config keys. */
const RESERVED_ENV = new Set([ENV_CONFIG_FILE]);

/** Inputs of loadConfig. */
export interface LoadOptions {
    /** JSON config file; when absent, CALLBACKD_CONFIG names it, else only defaults apply. */
    file?: string;
    /** Environment to read CALLBACKD_* overrides from (default: process.env). */
    env?: NodeJS.ProcessEnv;
    /** Highest-precedence values (e.g. command-line options, MQTT desired config), as a partial config. */
    overrides?: object;
}

/** `providerOpenTimeoutMs` → `PROVIDER_OPEN_TIMEOUT_MS`. */
export function toUpperSnake(camel: string): string {
    return camel
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
        .toUpperCase();
}

/** Environment variable name for a dotted config path: `cti.port` → `CALLBACKD_CTI_PORT`. */
export function envName(path: string): string {
    return ENV_PREFIX + path.split(".").map(toUpperSnake).join("_");
}

type PlainObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
function isPlainObject(v: unknown): v is PlainObject {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Own-property assignment that keeps keys such as "__proto__" as data. */
function put(target: PlainObject, key: string, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Deep copy of JSON-like data (arrays and plain objects; everything else by value). */
function clone(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(clone);
    if (isPlainObject(v)) {
        const out: PlainObject = {};
        for (const [k, x] of Object.entries(v)) put(out, k, clone(x));
        return out;
    }
    return v;
}

/**
 * Deep merge of `source` into `target`: objects merge, everything else (arrays included) replaces.
 * `undefined` values are skipped. Records the leaf paths written in `written`.
 */
function mergeInto(target: PlainObject, source: PlainObject, prefix: string, written: string[]): void {
    for (const [k, v] of Object.entries(source)) {
        if (v === undefined) continue;
        const path = prefix === "" ? k : `${prefix}.${k}`;
        const current = Object.hasOwn(target, k) ? target[k] : undefined;
        if (isPlainObject(v) && isPlainObject(current)) {
            mergeInto(current, v, path, written);
        } else {
            put(target, k, clone(v));
            written.push(path);
        }
    }
}

/** Schema types of a node as a list. */
function typesOf(node: SchemaNode): string[] {
    const t = node.type;
    return t === undefined ? [] : Array.isArray(t) ? t : [t];
}

/** Coerces one scalar string to the schema type; returns the string unchanged when it does not fit (ajv reports it). */
function coerceScalar(text: string, node: SchemaNode | undefined): unknown {
    const types = node === undefined ? [] : typesOf(node);
    if (types.includes("integer") && /^[+-]?\d+$/.test(text.trim())) return Number(text.trim());
    if (types.includes("boolean")) {
        const b = text.trim().toLowerCase();
        if (b === "true" || b === "1") return true;
        if (b === "false" || b === "0") return false;
    }
    return text;
}

/** Result of coercing one environment value. */
type Coerced = { ok: true; value: unknown } | { ok: false; reason: string };

/** Coerces an environment value to the leaf's schema type (arrays and maps: JSON or comma-separated). */
function coerceEnv(text: string, node: SchemaNode): Coerced {
    const types = typesOf(node);
    const trimmed = text.trim();
    if (types.includes("null") && (trimmed === "" || trimmed.toLowerCase() === "null"))
        return { ok: true, value: null };
    if (types.includes("array")) {
        if (trimmed.startsWith("[")) return parseEnvJson(trimmed);
        const items = trimmed === "" ? [] : trimmed.split(",").map((s) => coerceScalar(s.trim(), node.items));
        return { ok: true, value: items };
    }
    if (types.includes("object")) {
        if (trimmed.startsWith("{")) return parseEnvJson(trimmed);
        const out: PlainObject = {};
        for (const pair of trimmed.split(",")) {
            if (pair.trim() === "") continue;
            const eq = pair.indexOf("=");
            if (eq < 1) {
                return {
                    ok: false,
                    reason: `expected JSON or name=level pairs separated by commas (got ${JSON.stringify(pair)})`,
                };
            }
            put(out, pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        return { ok: true, value: out };
    }
    return { ok: true, value: coerceScalar(text, node) };
}

/** JSON.parse for environment values. */
function parseEnvJson(text: string): Coerced {
    try {
        return { ok: true, value: JSON.parse(text) };
    } catch (err) {
        return { ok: false, reason: `not valid JSON: ${(err as Error).message}` };
    }
}

/** Lookup tables from environment suffixes to leaves, built once. */
let envIndex: { exact: Map<string, LeafInfo>; squashed: Map<string, LeafInfo> } | undefined;

/** Maps `CTI_PORT` (and `CTIPORT`, any case) to the leaf `cti.port`. */
function envLeaf(suffix: string): LeafInfo | undefined {
    if (envIndex === undefined) {
        envIndex = { exact: new Map(), squashed: new Map() };
        for (const leaf of leaves()) {
            const snake = envName(leaf.path).slice(ENV_PREFIX.length);
            envIndex.exact.set(snake, leaf);
            envIndex.squashed.set(snake.replace(/_/g, ""), leaf);
        }
    }
    const upper = suffix.toUpperCase();
    return envIndex.exact.get(upper) ?? envIndex.squashed.get(upper.replace(/_/g, ""));
}

/** The partial config set by CALLBACKD_* variables, which variable set which path, and any bad variables. */
export function envOverrides(env: NodeJS.ProcessEnv): {
    values: PlainObject;
    sources: Map<string, string>;
    problems: ConfigProblem[];
} {
    const values: PlainObject = {};
    const sources = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    for (const name of Object.keys(env).sort()) {
        const text = env[name];
        if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.has(name) || text === undefined) continue;
        const leaf = envLeaf(name.slice(ENV_PREFIX.length));
        if (leaf === undefined) {
            const known = leaves().map((l) => envName(l.path));
            const hint = closest(name, known, 2);
            const reason = `names no configuration key${hint === undefined ? "" : ` (did you mean ${hint}?)`}`;
            problems.push({ key: name, reason });
            continue;
        }
        const coerced = coerceEnv(text, leaf.node);
        if (!coerced.ok) {
            problems.push({ key: name, reason: `${leaf.path}: ${coerced.reason}` });
            continue;
        }
        const parts = leaf.path.split(".");
        let node = values;
        for (const part of parts.slice(0, -1)) {
            const next = isPlainObject(node[part]) ? node[part] : {};
            put(node, part, next);
            node = next;
        }
        put(node, parts[parts.length - 1]!, coerced.value);
        sources.set(leaf.path, name);
    }
    return { values, sources, problems };
}

/** Reads and parses the config file. */
function readConfigFile(file: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
            throw new ConfigError("CONFIG_NOT_FOUND", `config file not found: ${file}`, { file }, { cause: err });
        }
        throw new ConfigError("CONFIG_READ", `cannot read config file ${file}: ${String(code)}`, {
            file,
            reason: code,
        });
    }
    return parseJson(text, file);
}

/** Freezes an object graph in place. */
function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        for (const v of Object.values(value)) deepFreeze(v);
    }
    return value;
}

/** Finds the source label for a problem key (exact path, an element of it, or something inside it). */
function sourceOf(key: string, sources: Map<string, string>): string | undefined {
    for (const [path, label] of sources) {
        if (key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`)) return label;
    }
    return undefined;
}

/** Deepest nesting accepted in a configuration layer (file, environment, overrides). */
const MAX_CONFIG_DEPTH = 64;

/** Loads, merges and validates the configuration; returns it deeply frozen. Throws ConfigError. */
export function loadConfig(options: LoadOptions = {}): Config {
    const env = options.env ?? process.env;
    const fileFromEnv = env[ENV_CONFIG_FILE];
    const file = options.file ?? (fileFromEnv === undefined || fileFromEnv === "" ? undefined : fileFromEnv);

    const merged: unknown = defaultConfig();
    const sources = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    const layer = (data: unknown, label: string | undefined): void => {
        if (!isPlainObject(data)) {
            problems.push({ key: "(root)", reason: `must be an object${label ? ` (from ${label})` : ""}` });
            return;
        }
        // A configuration is a few levels deep; a document nested thousands deep would overflow the merge.
        if (jsonTooDeep(data, MAX_CONFIG_DEPTH)) {
            problems.push({
                key: "(root)",
                reason: `nested deeper than ${MAX_CONFIG_DEPTH} levels${label ? ` (from ${label})` : ""}`,
            });
            return;
        }
        const written: string[] = [];
        mergeInto(merged as PlainObject, data, "", written);
        for (const path of written) {
            if (label === undefined) sources.delete(path);
            else sources.set(path, label);
        }
    };

    if (file !== undefined) layer(readConfigFile(file), undefined);
    const fromEnv = envOverrides(env);
    problems.push(...fromEnv.problems);
    layer(fromEnv.values, undefined);
    for (const [path, name] of fromEnv.sources) sources.set(path, name);
    if (options.overrides !== undefined) layer(options.overrides, "overrides");

    const validate = getValidator();
    if (!validate(merged)) {
        for (const p of describeErrors(validate.errors!, merged)) {
            const from = sourceOf(p.key, sources);
            problems.push(from === undefined ? p : { key: p.key, reason: `${p.reason} (from ${from})` });
        }
    }
    if (problems.length > 0) {
        const where = file === undefined ? "" : ` (${file})`;
        const list = problems.map((p) => `${p.key}: ${p.reason}`).join("; ");
        throw new ConfigError("CONFIG_INVALID", `invalid configuration${where}: ${list}`, {
            errors: problems,
            ...(file === undefined ? {} : { file }),
        });
    }
    return deepFreeze(merged as ConfigShape) as Config;
}

/** One changed key between two configurations. */
export interface ConfigChange {
    /** Dotted path, e.g. `cti.port` or `log.modules.wire`. */
    key: string;
    from: unknown;
    to: unknown;
    requiresRestart: boolean;
}

/** Whether a changed path needs a restart; unknown paths are treated as needing one. */
function restartFor(path: string): boolean {
    return schemaNode(path) === undefined ? true : requiresRestart(path);
}

/** Shows a value in a change record, hiding secrets. */
function changeValue(path: string, v: unknown): unknown {
    return isSecretKey(path.slice(path.lastIndexOf(".") + 1)) && v !== undefined ? "[Redacted]" : v;
}

/** Lists the leaf keys whose values differ between `a` and `b` (maps compared entry by entry). */
export function diffConfig(a: Config, b: Config): ConfigChange[] {
    const out: ConfigChange[] = [];
    const walk = (x: unknown, y: unknown, prefix: string): void => {
        if (isPlainObject(x) && isPlainObject(y)) {
            const keys = [...Object.keys(x), ...Object.keys(y).filter((k) => !Object.hasOwn(x, k))];
            for (const k of keys) walk(x[k], y[k], prefix === "" ? k : `${prefix}.${k}`);
            return;
        }
        if (JSON.stringify(x) === JSON.stringify(y)) return;
        out.push({
            key: prefix,
            from: changeValue(prefix, x),
            to: changeValue(prefix, y),
            requiresRestart: restartFor(prefix),
        });
    };
    walk(a, b, "");
    return out;
}

/** The QBE ports to capture: `capture.qbePorts`, or `[cti.port]` when that is null. */
export function qbePorts(config: Config): readonly number[] {
    return config.capture.qbePorts ?? [config.cti.port];
}

/** The BPF filter: `capture.filter` when set, else `tcp port A or tcp port B …` over the SCCP then QBE ports. */
export function captureFilter(config: Config): string {
    if (config.capture.filter !== null) return config.capture.filter;
    const ports = [...new Set([...config.capture.sccpPorts, ...qbePorts(config)])];
    return ports.map((p) => `tcp port ${p}`).join(" or ");
}
