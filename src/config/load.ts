/**
 * Loading: defaults (from the schema) < JSON file < layers before the environment < CALLBACKD_* environment <
 * layers after it < overrides, then ajv validation and the checks a schema cannot make (checks.ts).
 * Strict entry point: every problem becomes a ConfigError with a stable code; `loadConfigReport` is the
 * forgiving one (doctor).
 */
import { ConfigError } from "../errors.js";
import { isSecretKey } from "../logging/redact.js";
import { FileReadError, readFileBoundedSync } from "../util/boundedRead.js";
import { semanticProblems } from "./checks.js";
import { jsonTooDeep, parseJson } from "./json.js";
import { isPlainObject, type PlainObject, putOwn } from "./plainObject.js";
import {
    CONFIG_SCHEMA,
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
    /** Highest-precedence values (e.g. command-line options), as a partial config. */
    overrides?: object;
    /**
     * Further partial configurations (the saved running configuration, the applied desired one), laid over
     * the file before the environment or after it; `label` names the layer in error messages.
     */
    layers?: readonly ConfigLayer[];
}

/** A partial configuration laid over the file (see LoadOptions.layers). */
export interface ConfigLayer {
    /** The partial configuration, or `read` to get it (a file: its errors are reported as this layer's). */
    data?: unknown;
    /** Reads the layer; null: there is none (e.g. no saved file). */
    read?: () => unknown;
    label: string;
    position: "beforeEnv" | "afterEnv";
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

/** Deep copy of JSON-like data (arrays and plain objects; everything else by value). */
function clone(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(clone);
    if (isPlainObject(v)) {
        const out: PlainObject = {};
        for (const [k, x] of Object.entries(v)) putOwn(out, k, clone(x));
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
            putOwn(target, k, clone(v));
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
            putOwn(out, pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
        }
        return { ok: true, value: out };
    }
    return { ok: true, value: coerceScalar(text, node) };
}

/**
 * A value typed as text (an environment variable, a console `set parameter`) as the key's schema type:
 * numbers and booleans as such, `null` for nullable keys, lists and maps as JSON or comma-separated.
 */
export function coerceText(
    text: string,
    node: SchemaNode,
): { ok: true; value: unknown } | { ok: false; reason: string } {
    return coerceEnv(text, node);
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
            putOwn(node, part, next);
            node = next;
        }
        putOwn(node, parts[parts.length - 1]!, coerced.value);
        sources.set(leaf.path, name);
    }
    return { values, sources, problems };
}

/** Largest configuration file read (a directory of 100,000 phones fits; /dev/zero does not). */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Reads and parses a JSON configuration file (the config file, or a saved configuration in the state directory). */
export function readConfigFile(file: string): unknown {
    let text: string;
    try {
        text = readFileBoundedSync(file, MAX_CONFIG_BYTES).toString("utf8");
    } catch (err) {
        if (err instanceof FileReadError) {
            throw new ConfigError("CONFIG_READ", `cannot read config file ${file}: ${err.message}`, {
                file,
                reason: err.code,
            });
        }
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

/** A configuration with what was wrong with its inputs (`loadConfigReport`). */
export interface ConfigReport {
    /** Valid and frozen: the inputs with every bad key at its default (all defaults when nothing could be used). */
    config: Config;
    /** Empty when the inputs are valid. */
    problems: ConfigProblem[];
    /** The error `loadConfig` throws for these inputs, or null. */
    error: ConfigError | null;
}

/** The object path of a dotted key (`capture.sccpPorts[1]` → the list; a map key may hold dots). */
export function keyPath(key: string): string[] | undefined {
    const parts = key.replace(/\[\d+\].*$/, "").split(".");
    if (parts.some((p) => p === "")) return undefined;
    const out: string[] = [];
    let node: SchemaNode | undefined = CONFIG_SCHEMA;
    for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        const props: Record<string, SchemaNode> | undefined = node?.properties;
        if (props !== undefined && Object.hasOwn(props, part)) {
            out.push(part);
            node = props[part];
        } else {
            // an unknown key, or a map entry whose name may itself contain dots
            out.push(parts.slice(i).join("."));
            break;
        }
    }
    return out;
}

/** Puts the default back at `path` (or removes the key when the defaults have none there). */
function resetToDefault(merged: PlainObject, path: readonly string[]): void {
    let target: unknown = merged;
    let def: unknown = defaultConfig();
    for (const part of path.slice(0, -1)) {
        if (!isPlainObject(target)) return;
        target = Object.hasOwn(target, part) ? target[part] : undefined;
        def = isPlainObject(def) && Object.hasOwn(def, part) ? def[part] : undefined;
    }
    const last = path[path.length - 1]!;
    if (!isPlainObject(target)) return;
    if (isPlainObject(def) && Object.hasOwn(def, last)) putOwn(target, last, clone(def[last]));
    else delete target[last];
}

/** Merges the layers and validates; `drop` lists keys put back at their defaults, `skipEnv` variables ignored. */
function assemble(
    options: LoadOptions,
    drop: { paths: string[][]; env: Set<string>; layers: Set<string> },
): { merged: unknown; problems: ConfigProblem[]; file: string | undefined; layerErrors: Map<string, ConfigError> } {
    const env = options.env ?? process.env;
    const fileFromEnv = env[ENV_CONFIG_FILE];
    const file = options.file ?? (fileFromEnv === undefined || fileFromEnv === "" ? undefined : fileFromEnv);

    const merged: unknown = defaultConfig();
    const sources = new Map<string, string>();
    const problems: ConfigProblem[] = [];
    const layerErrors = new Map<string, ConfigError>();
    let layered = false;
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
        if (written.length > 0) layered = true;
        for (const path of written) {
            if (label === undefined) sources.delete(path);
            else sources.set(path, label);
        }
    };
    const guarded = (name: string, read: () => unknown, label: string | undefined): void => {
        if (drop.layers.has(name)) return;
        try {
            const data = read();
            if (data !== null || name === "file") layer(data, label);
        } catch (err) {
            if (!(err instanceof ConfigError)) throw err;
            layerErrors.set(name, err);
            problems.push({ key: "(root)", reason: err.message });
        }
    };

    if (file !== undefined) guarded("file", () => readConfigFile(file), undefined);
    for (const l of options.layers ?? []) {
        if (l.position === "beforeEnv") guarded(l.label, l.read ?? (() => l.data), l.label);
    }
    const fromEnv = envOverrides(env);
    for (const p of fromEnv.problems) if (!drop.env.has(p.key)) problems.push(p);
    const envValues = structuredClone(fromEnv.values);
    for (const [path, name] of fromEnv.sources) {
        if (drop.env.has(name)) removeAt(envValues, path.split("."));
    }
    layer(envValues, undefined);
    for (const [path, name] of fromEnv.sources) if (!drop.env.has(name)) sources.set(path, name);
    for (const l of options.layers ?? []) {
        if (l.position === "afterEnv") guarded(l.label, l.read ?? (() => l.data), l.label);
    }
    if (options.overrides !== undefined) layer(options.overrides, "overrides");
    for (const path of drop.paths) resetToDefault(merged as PlainObject, path);

    // Nothing laid over the defaults (no file, environment, saved layer or override: a plain `decode`): the
    // defaults are valid by construction (test/config/schema.test.ts), so the validator is not even loaded.
    const validate = layered || problems.length > 0 ? getValidator() : null;
    if (validate !== null && !validate(merged)) {
        for (const p of describeErrors(validate.errors!, merged)) {
            const from = sourceOf(p.key, sources);
            problems.push(from === undefined ? p : { key: p.key, reason: `${p.reason} (from ${from})` });
        }
    } else {
        for (const p of semanticProblems(merged)) {
            const from = sourceOf(p.key, sources);
            problems.push(from === undefined ? p : { key: p.key, reason: `${p.reason} (from ${from})` });
        }
    }
    return { merged, problems, file, layerErrors };
}

/** Removes a dotted path from an environment layer. */
function removeAt(root: PlainObject, parts: readonly string[]): void {
    let node: unknown = root;
    for (const part of parts.slice(0, -1)) node = isPlainObject(node) ? node[part] : undefined;
    if (isPlainObject(node)) delete node[parts[parts.length - 1]!];
}

/** The error loadConfig throws for a list of problems. */
function configError(problems: readonly ConfigProblem[], file: string | undefined): ConfigError {
    const where = file === undefined ? "" : ` (${file})`;
    const list = problems.map((p) => `${p.key}: ${p.reason}`).join("; ");
    return new ConfigError("CONFIG_INVALID", `invalid configuration${where}: ${list}`, {
        errors: problems.map((p) => ({ key: p.key, reason: p.reason })),
        ...(file === undefined ? {} : { file }),
    });
}

/** Loads, merges and validates the configuration; returns it deeply frozen. Throws ConfigError. */
export function loadConfig(options: LoadOptions = {}): Config {
    const { merged, problems, file, layerErrors } = assemble(options, {
        paths: [],
        env: new Set(),
        layers: new Set(),
    });
    // A file that cannot be read or parsed keeps its own error (CONFIG_NOT_FOUND, CONFIG_PARSE with line:column).
    const own = layerErrors.values().next().value;
    if (own !== undefined) throw own;
    if (problems.length > 0) throw configError(problems, file);
    return deepFreeze(merged as ConfigShape) as Config;
}

/**
 * The configuration as `loadConfig` would build it, but never failing: every bad key is put back at its
 * default (a layer that cannot be read is left out), so `doctor` checks everything else with the operator's
 * own values. Falls back to the defaults only when even that does not validate.
 */
export function loadConfigReport(options: LoadOptions = {}): ConfigReport {
    const first = assemble(options, { paths: [], env: new Set(), layers: new Set() });
    if (first.problems.length === 0) {
        return { config: deepFreeze(first.merged as ConfigShape) as Config, problems: [], error: null };
    }
    const error = first.layerErrors.values().next().value ?? configError(first.problems, first.file);
    const drop = { paths: [] as string[][], env: new Set<string>(), layers: new Set<string>() };
    const problems: ConfigProblem[] = [];
    // The checks beyond the schema only run on a document the schema accepts: a few rounds find them all.
    let round = first;
    for (let i = 0; i < 4 && round.problems.length > 0; i++) {
        for (const name of round.layerErrors.keys()) drop.layers.add(name);
        for (const p of round.problems) {
            problems.push({ key: p.key, reason: p.reason });
            if (round.layerErrors.size > 0 && p.key === "(root)") continue;
            if (p.key.startsWith(ENV_PREFIX)) drop.env.add(p.key);
            else if (p.key === "(root)") drop.layers.add("file");
            else {
                const fromEnv = /\(from (CALLBACKD_[A-Z0-9_]+)\)$/.exec(p.reason)?.[1];
                if (fromEnv !== undefined) drop.env.add(fromEnv);
                const path = keyPath(p.key);
                if (path !== undefined) drop.paths.push(path);
            }
        }
        round = assemble(options, drop);
    }
    if (round.problems.length === 0) {
        return { config: deepFreeze(round.merged as ConfigShape) as Config, problems, error };
    }
    return { config: loadConfig({ env: {} }), problems, error };
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
