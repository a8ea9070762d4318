/**
 * Configuration changes from MQTT (the seed's DB Change Notifier, reborn): `set-parameter` and the
 * retained desired configuration. Every change is a candidate built from a copy, validated whole against
 * the config schema and handed to the service's apply callback; only when that succeeds does it become
 * the accepted configuration. A rejected candidate leaves the running configuration untouched.
 * Keys whose schema says `requiresRestart` are accepted but reported as pending until the next start.
 */
import { createHash } from "node:crypto";
import { semanticProblems } from "../config/checks.js";
import { jsonTooDeep } from "../config/json.js";
import { type ConfigChange, diffConfig } from "../config/load.js";
import { getAt, isPlainObject, type PlainObject, putOwn } from "../config/plainObject.js";
import type { DesiredDoc, SaveResult } from "../config/saved.js";
import {
    CONFIG_SCHEMA,
    type ConfigProblem,
    describeErrors,
    getValidator,
    type SchemaNode,
    schemaNode,
    unknownKeyReason,
} from "../config/schema.js";
import type { Config } from "../config/types.js";
import { CallbackdError } from "../errors.js";
import { CENSOR, isSecretKey, redactDeep } from "../logging/redact.js";
import { canonical, MAX_JSON_DEPTH } from "./commands.js";
import { MgmtError, type ResponseCode, toResponseError } from "./errors.js";

/** Applies an accepted configuration (live keys now; persisting it is the callback's business). Throw to refuse. */
export type ConfigApplier = (next: Config, changes: readonly ConfigChange[]) => Promise<void> | void;

/** A key whose new value takes effect after a restart. */
export interface PendingChange {
    key: string;
    /** Value in effect (since the start). */
    running: unknown;
    /** Value accepted, in effect after a restart. */
    configured: unknown;
}

/** Payload of `config/reported`. */
export interface ReportedConfig {
    /** Desired version this report answers (0: none received yet). */
    version: number;
    status: "applied" | "rejected";
    /** Desired version in effect. */
    appliedVersion: number;
    /** Why it was rejected (empty when applied). */
    errors: ConfigProblem[];
    /** Response code of a rejection (bad_request, forbidden, conflict, internal). */
    code?: ResponseCode;
    /** Keys changed by this version. */
    changes: string[];
    /** Accepted keys waiting for a restart. */
    pending: PendingChange[];
    /** First 16 hex digits of SHA-256 over the accepted configuration (secrets redacted). */
    hash: string;
    ts: number;
    /** Set when the applied document could not be kept on flash. */
    warning?: string;
}

/** Result of set-parameter. */
export interface SetParameterResult {
    key: string;
    value: unknown;
    previous: unknown;
    changed: boolean;
    requiresRestart: boolean;
    /** True when the new value waits for a restart. */
    pending: boolean;
}

/** Deep merge (objects merge, the rest replaces) into a fresh copy of `base`. */
function merged(base: unknown, patch: PlainObject): PlainObject {
    const out = structuredClone(base) as PlainObject;
    const walk = (target: PlainObject, source: PlainObject): void => {
        for (const [k, v] of Object.entries(source)) {
            const cur = Object.hasOwn(target, k) ? target[k] : undefined;
            if (isPlainObject(v) && isPlainObject(cur)) walk(cur, v);
            else putOwn(target, k, structuredClone(v));
        }
    };
    walk(out, patch);
    return out;
}

/** Freezes an object graph. */
function deepFreeze<T>(v: T): T {
    if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
        Object.freeze(v);
        for (const x of Object.values(v)) deepFreeze(x);
    }
    return v;
}

/** Splits a dotted key into object path parts; a map key may itself contain dots (`log.modules.wire.reassembly`). */
function splitPath(key: string): { parts: string[]; mapEntry: boolean } | undefined {
    const parts = key.split(".");
    if (parts.some((p) => p === "")) return undefined;
    let node: SchemaNode = CONFIG_SCHEMA;
    for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        const props = node.properties;
        if (props !== undefined && Object.hasOwn(props, p)) {
            node = props[p]!;
            continue;
        }
        if (typeof node.additionalProperties === "object") {
            return { parts: [...parts.slice(0, i), parts.slice(i).join(".")], mapEntry: true };
        }
        return undefined;
    }
    return { parts, mapEntry: false };
}

/** The problems of a candidate, or none. */
export function validateCandidate(candidate: unknown): ConfigProblem[] {
    const validate = getValidator();
    // the same checks as loadConfig: nothing set here may fail the next start
    return validate(candidate) ? semanticProblems(candidate) : describeErrors(validate.errors ?? [], candidate);
}

/** Identity of a desired document's configuration (a redelivery of the applied one is ignored). */
function desiredHash(config: unknown): string {
    return createHash("sha256").update(canonical(config)).digest("hex");
}

/** Short hash of a configuration (secrets redacted first). */
export function configHash(config: Config): string {
    return createHash("sha256")
        .update(JSON.stringify(redactDeep(config)))
        .digest("hex")
        .slice(0, 16);
}

/** Where accepted configurations are kept (src/config/saved.ts). */
export interface ConfigStorePort {
    /** Keeps the applied desired document (null: forget it). */
    saveDesired(doc: DesiredDoc | null): void;
    /** Saves the running configuration for the next start. */
    save(running: Config, desired: DesiredDoc | null): SaveResult;
    /** What the next start would run with. */
    startup(): Config;
}

/** Options of ConfigControl. */
export interface ConfigControlOptions {
    /** The configuration the service started with (file, saved, environment, applied desired, command line). */
    boot: Config;
    /** What desired documents are laid over: the start configuration without its desired document (default boot). */
    base?: Config;
    /** The desired document applied before this start (kept on flash): its redelivery is not applied again. */
    applied?: DesiredDoc | null;
    /** Keeps applied desired documents and saves the running configuration; absent: nothing is kept. */
    store?: ConfigStorePort;
    apply: ConfigApplier;
    /** Refuse every change (read-only mode). */
    readOnly?: () => boolean;
    now?: () => number;
    /** A desired version was rejected (`problems`) or a later one applied (`null`). */
    onDesiredResult?: (rejected: ReportedConfig | null) => void;
}

/** Accepted configuration, candidates and the desired/reported exchange. */
export class ConfigControl {
    readonly #boot: Config;
    readonly #base: Config;
    readonly #store: ConfigStorePort | undefined;
    #desiredDoc: DesiredDoc | null;
    readonly #apply: ConfigApplier;
    readonly #readOnly: () => boolean;
    readonly #now: () => number;
    #onDesired: (r: ReportedConfig | null) => void;
    #current: Config;
    #appliedVersion = 0;
    #appliedDesiredHash = "";
    #reported: ReportedConfig;
    /** Serialises changes: one candidate at a time. */
    #chain: Promise<unknown> = Promise.resolve();

    constructor(options: ConfigControlOptions) {
        this.#boot = options.boot;
        this.#base = options.base ?? options.boot;
        this.#store = options.store;
        this.#desiredDoc = options.applied ?? null;
        this.#current = options.boot;
        this.#apply = options.apply;
        this.#readOnly = options.readOnly ?? (() => false);
        this.#now = options.now ?? Date.now;
        this.#onDesired = options.onDesiredResult ?? (() => {});
        if (this.#desiredDoc !== null) {
            this.#appliedVersion = this.#desiredDoc.version;
            this.#appliedDesiredHash = desiredHash(this.#desiredDoc.config);
        }
        this.#reported = this.#report(this.#appliedVersion, "applied", [], []);
    }

    /** Observes desired results (a rejection, or null when a later version applied). */
    set onDesiredResult(fn: (rejected: ReportedConfig | null) => void) {
        this.#onDesired = fn;
    }

    /** Keys whose running value is not what the next start would run (unsaved changes); [] without a store. */
    unsaved(): string[] {
        if (this.#store === undefined) return [];
        try {
            return diffConfig(this.#store.startup(), this.#current).map((c) => c.key);
        } catch {
            return [];
        }
    }

    /** What the next start would run with (the current configuration when nothing is kept). */
    startup(): Config {
        return this.#store?.startup() ?? this.#current;
    }

    /** Saves the running configuration for the next start (`write memory`, MQTT `save-config`). */
    saveConfig(): Promise<SaveResult> {
        return this.#serial(async () => {
            if (this.#readOnly()) throw new MgmtError("forbidden", "read-only mode: configuration changes are refused");
            const store = this.#store;
            if (store === undefined) throw new MgmtError("internal", "this service has no state directory to save to");
            try {
                return store.save(this.#current, this.#desiredDoc);
            } catch (err) {
                if (err instanceof CallbackdError) {
                    throw new MgmtError("bad_request", `not saved: ${err.message}`, {}, { cause: err });
                }
                const code = (err as NodeJS.ErrnoException).code ?? "EIO";
                throw new MgmtError(
                    "internal",
                    `not saved: the state directory cannot be written (${code})`,
                    {},
                    { cause: err },
                );
            }
        });
    }

    /** The accepted configuration (restart-only keys included, whether or not in effect yet). */
    get current(): Config {
        return this.#current;
    }

    /** Desired version in effect (0: none). */
    get appliedVersion(): number {
        return this.#appliedVersion;
    }

    /** The last report (what `config/reported` holds). */
    get reported(): ReportedConfig {
        return this.#reported;
    }

    /** Accepted keys that wait for a restart. */
    pending(): PendingChange[] {
        return diffConfig(this.#boot, this.#current)
            .filter((c) => c.requiresRestart)
            .map((c) => ({ key: c.key, running: c.from, configured: c.to }));
    }

    /** The accepted configuration with secrets redacted, and what is pending. */
    describe(): { version: number; hash: string; config: unknown; pending: PendingChange[]; unsaved: string[] } {
        return {
            version: this.#appliedVersion,
            hash: configHash(this.#current),
            config: redactDeep(this.#current),
            pending: this.pending(),
            unsaved: this.unsaved(),
        };
    }

    /** Sets one key (validated with the whole configuration). Throws MgmtError bad_request/forbidden/internal. */
    setParameter(key: string, value: unknown): Promise<SetParameterResult> {
        return this.#serial(async () => {
            if (this.#readOnly()) throw new MgmtError("forbidden", "read-only mode: configuration changes are refused");
            const path = splitPath(key);
            const node = path === undefined ? undefined : schemaNode(key);
            if (path === undefined || node === undefined) {
                throw new MgmtError("bad_request", `${key}: ${unknownKeyReason(key)}`, {
                    errors: [{ key, reason: unknownKeyReason(key) }],
                });
            }
            if (node.properties !== undefined) {
                throw new MgmtError("bad_request", `${key} is a section, not a parameter`, {
                    errors: [{ key, reason: "is a section, not a parameter" }],
                });
            }
            const patch: PlainObject = {};
            let cursor = patch;
            path.parts.forEach((p, i) => {
                if (i === path.parts.length - 1) putOwn(cursor, p, value);
                else {
                    const next: PlainObject = {};
                    putOwn(cursor, p, next);
                    cursor = next;
                }
            });
            const candidate = merged(this.#current, patch);
            if (path.mapEntry && value === null) {
                // null removes a map entry (e.g. a module's own log level)
                const parent = getAt(candidate, path.parts.slice(0, -1)) as PlainObject;
                delete parent[path.parts[path.parts.length - 1]!];
            }
            const previous = getAt(this.#current, path.parts);
            const changes = await this.#accept(candidate);
            // A secret's value never goes back over MQTT.
            const secret = isSecretKey(key.slice(key.lastIndexOf(".") + 1));
            return {
                key,
                value: secret ? CENSOR : value,
                previous: secret && previous !== undefined && previous !== null ? CENSOR : previous,
                changed: changes.length > 0,
                requiresRestart: node.requiresRestart === true,
                pending: this.pending().some((p) => p.key === key),
            };
        });
    }

    /**
     * Handles a desired document `{version, config}` (config: a partial configuration over the boot one).
     * Returns the new report, or null when the document is ignored (empty, or the version already applied).
     */
    applyDesired(doc: unknown): Promise<ReportedConfig | null> {
        return this.#serial(async () => {
            if (doc === null || doc === undefined) return null;
            const now = this.#now();
            if (
                !isPlainObject(doc) ||
                !Number.isSafeInteger(doc.version) ||
                (doc.version as number) < 0 ||
                !isPlainObject(doc.config) ||
                jsonTooDeep(doc, MAX_JSON_DEPTH)
            ) {
                const version = isPlainObject(doc) && Number.isSafeInteger(doc.version) ? (doc.version as number) : 0;
                return this.#rejected(version, "bad_request", [
                    {
                        key: "(root)",
                        reason: `must be {"version": <non-negative integer>, "config": {...}} nested at most ${MAX_JSON_DEPTH} deep`,
                    },
                ]);
            }
            const version = doc.version as number;
            const docHash = desiredHash(doc.config);
            if (version === this.#appliedVersion && docHash === this.#appliedDesiredHash) return null;
            if (version <= this.#appliedVersion) {
                return this.#rejected(version, "conflict", [
                    { key: "version", reason: `must be greater than the applied version ${this.#appliedVersion}` },
                ]);
            }
            if (this.#readOnly()) {
                return this.#rejected(version, "forbidden", [
                    { key: "(root)", reason: "read-only mode: configuration changes are refused" },
                ]);
            }
            let changes: ConfigChange[];
            try {
                changes = await this.#accept(merged(this.#base, doc.config));
            } catch (err) {
                const e = toResponseError(err);
                const errors = (e.details?.errors as ConfigProblem[] | undefined) ?? [
                    { key: "(root)", reason: e.message },
                ];
                return this.#rejected(version, e.code, errors);
            }
            this.#appliedVersion = version;
            this.#appliedDesiredHash = docHash;
            this.#desiredDoc = { version, config: structuredClone(doc.config) };
            // Kept on flash: the next start runs with it, so its restart-only keys do take effect.
            let kept: string | undefined;
            try {
                this.#store?.saveDesired(this.#desiredDoc);
            } catch (err) {
                kept = `not kept on flash (${(err as NodeJS.ErrnoException).code ?? "EIO"}): restart-only keys will not apply at the next start`;
            }
            this.#reported = {
                ...this.#report(
                    version,
                    "applied",
                    [],
                    changes.map((c) => c.key),
                ),
                ts: now,
                ...(kept === undefined ? {} : { warning: kept }),
            };
            this.#onDesired(null);
            return this.#reported;
        });
    }

    #rejected(version: number, code: ResponseCode, errors: ConfigProblem[]): ReportedConfig {
        this.#reported = { ...this.#report(version, "rejected", errors, []), code };
        this.#onDesired(this.#reported);
        return this.#reported;
    }

    #report(
        version: number,
        status: ReportedConfig["status"],
        errors: ConfigProblem[],
        changes: string[],
    ): ReportedConfig {
        return {
            version,
            status,
            appliedVersion: this.#appliedVersion,
            errors,
            changes,
            pending: this.pending(),
            hash: configHash(this.#current),
            ts: this.#now(),
        };
    }

    /** Validates a candidate, applies it through the callback, and makes it current. Returns the changes. */
    async #accept(candidate: PlainObject): Promise<ConfigChange[]> {
        const problems = validateCandidate(candidate);
        if (problems.length > 0) {
            const list = problems.map((p) => `${p.key}: ${p.reason}`).join("; ");
            throw new MgmtError("bad_request", `invalid configuration: ${list}`, { errors: problems });
        }
        const next = deepFreeze(candidate) as unknown as Config;
        const changes = diffConfig(this.#current, next);
        if (changes.length === 0) return changes;
        try {
            await this.#apply(next, changes);
        } catch (err) {
            if (err instanceof CallbackdError) throw err;
            throw new MgmtError("internal", "the service could not apply the configuration", {}, { cause: err });
        }
        this.#current = next;
        return changes;
    }

    #serial<T>(fn: () => Promise<T>): Promise<T> {
        const run = this.#chain.then(fn, fn);
        this.#chain = run.catch(() => undefined);
        return run;
    }
}
