/**
 * The saved running configuration (IOS `write memory`) and the applied desired configuration, both kept in
 * the state directory: under the unit's ProtectSystem=strict /etc is read-only (and config.json belongs to
 * root), the state directory is the one place the service may write.
 *
 * Precedence at start, lowest first:
 *   built-in defaults < config file < saved configuration (saved-config.json) < CALLBACKD_* environment
 *   < applied desired configuration (desired-config.json) < command line
 * The environment beats a saved change: it is what the unit file says, and `write memory` reports the keys it
 * shadows instead of saving them to no effect. The head-end's desired configuration beats both, as it does
 * while running (a desired document is laid over the start configuration).
 *
 * Files are written atomically (temp file, fsync, rename, fsync of the directory) with mode 0600: a saved
 * `phones.pushPassword` is a secret.
 */
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import {
    type ConfigLayer,
    diffConfig,
    ENV_CONFIG_FILE,
    envOverrides,
    keyPath,
    type LoadOptions,
    loadConfig,
    readConfigFile,
} from "./load.js";
import { getAt, isPlainObject, type PlainObject, putOwn } from "./plainObject.js";
import type { Config } from "./types.js";

/** The saved running configuration, in the state directory. */
export const SAVED_CONFIG_FILE = "saved-config.json";
/** The last applied desired configuration `{version, config}`, in the state directory. */
export const DESIRED_CONFIG_FILE = "desired-config.json";

/** Keys `write memory` does not save, and why. */
const NOT_SAVABLE: Readonly<Record<string, string>> = {
    "state.dir": "the saved configuration lives in the state directory: set state.dir in the config file",
};

/** A desired document as applied and kept. */
export interface DesiredDoc {
    version: number;
    config: PlainObject;
}

/** What `write memory` / `save-config` did. */
export interface SaveResult {
    /** The saved configuration file (written, or removed when nothing differs from the start configuration). */
    file: string;
    /** Keys saved (their running values are the start values from now on). */
    saved: string[];
    /** Running changes that cannot be saved with effect, and why (an environment variable or the desired configuration sets them). */
    notSaved: Array<{ key: string; reason: string }>;
}

/** The state directory: config, else systemd's $STATE_DIRECTORY, else ./state. */
export function stateDirectory(config: Config, env: NodeJS.ProcessEnv): string {
    const dir = config.state.dir ?? env.STATE_DIRECTORY?.split(":")[0] ?? "state";
    return resolve(dir);
}

/** Writes a file atomically and durably (temp in the same directory, fsync, rename, fsync of the directory). */
export function writeFileAtomicSync(path: string, data: string, mode = 0o600): void {
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode);
    try {
        const buf = Buffer.from(data, "utf8");
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
    renameSync(tmp, path);
    syncDir(path);
}

/** Removes a file durably (missing is fine). */
function removeDurably(path: string): void {
    rmSync(path, { force: true });
    syncDir(path);
}

function syncDir(path: string): void {
    const fd = openSync(join(path, ".."), constants.O_RDONLY);
    try {
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

/**
 * Reads one of the state directory's configuration files, or null when it does not exist. One this process
 * may not read (a state directory of another owner) is left out and said through `warn`: the service still
 * starts, as it does without its snapshots.
 */
function readOptional(path: string, warn?: (text: string) => void): unknown | null {
    try {
        return readConfigFile(path);
    } catch (err) {
        if (err instanceof ConfigError && err.code === "CONFIG_NOT_FOUND") return null;
        const reason = err instanceof ConfigError ? err.details.reason : undefined;
        if (warn !== undefined && (reason === "EACCES" || reason === "EPERM")) {
            warn(`${path} cannot be read (${reason}): started without it`);
            return null;
        }
        if (err instanceof ConfigError) {
            throw new ConfigError(err.code, `${err.message} (remove ${path} to start without it)`, err.details, {
                cause: err,
            });
        }
        throw err;
    }
}

/** A desired document as kept on flash, or null when it is not one. */
function asDesired(v: unknown): DesiredDoc | null {
    if (!isPlainObject(v) || !Number.isSafeInteger(v.version) || !isPlainObject(v.config)) return null;
    return { version: v.version as number, config: v.config };
}

/** Sets a value at an object path, creating objects on the way (keys such as "__proto__" stay data). */
function setAt(root: PlainObject, parts: readonly string[], value: unknown): void {
    let node = root;
    parts.forEach((p, i) => {
        if (i === parts.length - 1) {
            putOwn(node, p, value);
            return;
        }
        const next = Object.hasOwn(node, p) && isPlainObject(node[p]) ? (node[p] as PlainObject) : {};
        putOwn(node, p, next);
        node = next;
    });
}

/** Whether a partial configuration sets the key at `parts` (a non-object on the way replaces it whole). */
function covers(doc: unknown, parts: readonly string[]): boolean {
    let node = doc;
    for (const p of parts) {
        if (!isPlainObject(node) || !Object.hasOwn(node, p)) return false;
        node = node[p];
        if (!isPlainObject(node)) return true;
    }
    return true;
}

/** The configuration files of one box and how they combine (see the module comment). */
export class SavedConfig {
    /** The state directory. */
    readonly dir: string;
    readonly savedFile: string;
    readonly desiredFile: string;
    readonly #file: string | undefined;
    readonly #env: NodeJS.ProcessEnv;
    readonly #overrides: object | undefined;
    /** Files of the state directory that could not be read and were left out (said at start). */
    readonly warnings: string[] = [];
    readonly #warn = (text: string): void => {
        if (!this.warnings.includes(text)) this.warnings.push(text);
    };

    private constructor(dir: string, file: string | undefined, env: NodeJS.ProcessEnv, overrides?: object) {
        this.dir = dir;
        this.savedFile = join(dir, SAVED_CONFIG_FILE);
        this.desiredFile = join(dir, DESIRED_CONFIG_FILE);
        this.#file = file;
        this.#env = env;
        this.#overrides = overrides;
    }

    /**
     * Finds the state directory from the file and the environment (a saved configuration cannot move it),
     * for the configuration `options` describe.
     */
    static locate(options: Pick<LoadOptions, "file" | "env" | "overrides">): SavedConfig {
        const env = options.env ?? process.env;
        const fromEnv = env[ENV_CONFIG_FILE];
        const file = options.file ?? (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv);
        const base = loadConfig({ ...options, env, ...(file === undefined ? {} : { file }) });
        return new SavedConfig(stateDirectory(base, env), file, env, options.overrides);
    }

    /** The load options of the start configuration: the file, the saved changes, the environment, the desired document. */
    loadOptions(layers: { saved?: unknown | null; desired?: DesiredDoc | null } = {}): LoadOptions {
        const list: ConfigLayer[] = [];
        const { saved, desired } = layers;
        list.push({
            label: `saved configuration ${this.savedFile}`,
            position: "beforeEnv",
            // read when the configuration is loaded, so its errors are reported as this layer's
            read: () => (saved === undefined ? readOptional(this.savedFile, this.#warn) : saved),
        });
        list.push({
            label: `desired configuration ${this.desiredFile}`,
            position: "afterEnv",
            read: () => {
                if (desired !== undefined) return desired?.config ?? null;
                const raw = readOptional(this.desiredFile, this.#warn);
                if (raw === null) return null;
                const doc = asDesired(raw);
                if (doc === null) {
                    throw new ConfigError(
                        "CONFIG_INVALID",
                        `${this.desiredFile}: not a {"version", "config"} document`,
                        {
                            file: this.desiredFile,
                        },
                    );
                }
                return doc.config;
            },
        });
        return {
            env: this.#env,
            ...(this.#file === undefined ? {} : { file: this.#file }),
            ...(this.#overrides === undefined ? {} : { overrides: this.#overrides }),
            layers: list,
        };
    }

    /** What the next start runs with (throws ConfigError, naming the layer, when that does not validate). */
    startup(): Config {
        return loadConfig(this.loadOptions());
    }

    /** The applied desired document kept on flash, or null. */
    desired(): DesiredDoc | null {
        return asDesired(readOptional(this.desiredFile, this.#warn));
    }

    /** Keeps (or, with null, forgets) the applied desired document, so its restart-only keys apply at the next start. */
    saveDesired(doc: DesiredDoc | null): void {
        if (doc === null) removeDurably(this.desiredFile);
        else
            writeFileAtomicSync(
                this.desiredFile,
                `${JSON.stringify({ version: doc.version, config: doc.config }, null, 2)}\n`,
            );
    }

    /**
     * Saves the running configuration: every key that differs from what the next start would run without a
     * saved configuration goes into saved-config.json, except the keys an environment variable or the
     * desired configuration sets (they would win at start: reported in `notSaved`).
     */
    save(running: Config, desired: DesiredDoc | null = this.desired()): SaveResult {
        const without = loadConfig(this.loadOptions({ saved: null, desired }));
        const env = envOverrides(this.#env).sources;
        const overlay: PlainObject = {};
        const saved: string[] = [];
        const notSaved: SaveResult["notSaved"] = [];
        for (const change of diffConfig(without, running)) {
            const key = change.key;
            const parts = keyPath(key);
            const fixed = NOT_SAVABLE[key];
            if (fixed !== undefined || parts === undefined) {
                notSaved.push({ key, reason: fixed ?? "not a configuration key" });
                continue;
            }
            const envVar = [...env].find(([p]) => key === p || key.startsWith(`${p}.`) || p.startsWith(`${key}.`))?.[1];
            if (envVar !== undefined) {
                notSaved.push({ key, reason: `set by the environment variable ${envVar}, which takes precedence` });
                continue;
            }
            if (desired !== null && covers(desired.config, parts)) {
                notSaved.push({
                    key,
                    reason: `set by the desired configuration version ${desired.version}, which takes precedence`,
                });
                continue;
            }
            const value = getAt(running, parts);
            if (value === undefined) {
                notSaved.push({ key, reason: "removing a key the config file sets: edit the config file" });
                continue;
            }
            setAt(overlay, parts, structuredClone(value));
            saved.push(key);
        }
        // What is written must load: the next start must not fail on it.
        loadConfig(this.loadOptions({ saved: overlay, desired }));
        if (saved.length === 0) removeDurably(this.savedFile);
        else writeFileAtomicSync(this.savedFile, `${JSON.stringify(overlay, null, 2)}\n`);
        return { file: this.savedFile, saved: saved.sort(), notSaved };
    }
}
