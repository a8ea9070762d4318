/**
 * The console's configuration commands: `show parameters`, `set parameter` (every key MQTT `set-parameter`
 * takes: one table, the configuration schema), `show running-config`, `show startup-config` and
 * `write memory`, against the service's ConfigControl.
 */
import { coerceText, diffConfig } from "../config/load.js";
import { SERVICE_PARAMETERS, type ServiceParameter } from "../config/parameters.js";
import type { SaveResult } from "../config/saved.js";
import { defaultConfig, leaves, schemaNode, unknownKeyReason } from "../config/schema.js";
import type { Config } from "../config/types.js";
import { CENSOR, isSecretKey } from "../logging/redact.js";
import type { CommandNode, CommandOutput } from "./commandTree.js";
import type { ConsoleContext } from "./context.js";
import { table } from "./format.js";

function valueAt(root: unknown, key: string): unknown {
    let node = root;
    for (const part of key.split(".")) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<string, unknown>)[part];
    }
    return node;
}

function secret(key: string): boolean {
    return isSecretKey(key.slice(key.lastIndexOf(".") + 1));
}

/** A value as the console shows it (secrets never). */
function shown(key: string, v: unknown): string {
    if (secret(key) && v !== null && v !== undefined) return CENSOR;
    if (v === undefined) return "(none)";
    return typeof v === "string" ? v : JSON.stringify(v);
}

/** The configuration the console shows: the accepted one, else the running one. */
function accepted(ctx: ConsoleContext): Config {
    return ctx.providers.configControl?.current ?? ctx.service.config;
}

export function showParameters(ctx: ConsoleContext): CommandOutput {
    const cfg = accepted(ctx);
    const running = ctx.service.config;
    const rows = (SERVICE_PARAMETERS as readonly ServiceParameter[]).map((p) => {
        const v = valueAt(cfg, p.key);
        const pending = JSON.stringify(v) !== JSON.stringify(valueAt(running, p.key)) && p.requiresRestart;
        return [
            p.key,
            `${shown(p.key, v)}${pending ? " (after restart)" : ""}`,
            p.unit ?? "",
            String(p.default),
            p.requiresRestart ? "restart" : "live",
        ];
    });
    return table(["Parameter", "Value", "Unit", "Default", "Applies"], rows);
}

/** Every key `set parameter` (and MQTT set-parameter) takes, for Tab and `?`. */
export function settableKeys(): string[] {
    return leaves().map((l) => (l.path === "log.modules" ? "log.modules.<namespace>" : l.path));
}

/** The settable key a typed key means (case-insensitive), or undefined. */
function resolveKey(typed: string): string | undefined {
    if (schemaNode(typed) !== undefined) return typed;
    const lower = typed.toLowerCase();
    return leaves().find((l) => l.path.toLowerCase() === lower)?.path;
}

export async function setParameter(ctx: ConsoleContext, typed: string, raw: string): Promise<CommandOutput> {
    const cc = ctx.providers.configControl;
    if (cc === undefined) return ["% Configuration changes are not available on this console"];
    const key = resolveKey(typed);
    const node = key === undefined ? undefined : schemaNode(key);
    if (key === undefined || node === undefined || node.properties !== undefined) {
        return [
            `% ${typed}: ${node?.properties !== undefined ? "is a section, not a parameter" : unknownKeyReason(typed)}`,
        ];
    }
    const value = coerceText(raw, node);
    if (!value.ok) return [`% ${key}: ${value.reason}`];
    try {
        const r = await cc.setParameter(key, value.value);
        if (!r.changed) return [`${key} is already ${shown(key, r.value)}`];
        const note = r.pending
            ? " (takes effect after a restart: write memory, then reload)"
            : " (in effect now; write memory keeps it after a restart)";
        return [`${key}: ${shown(key, r.previous)} -> ${shown(key, r.value)}${note}`];
    } catch (err) {
        return [`% ${(err as Error).message}`];
    }
}

/** `key value` lines of what a configuration sets differently from the built-in defaults. */
function configLines(cfg: Config, pending: ReadonlySet<string> = new Set()): string[] {
    const changes = diffConfig(defaultConfig() as unknown as Config, cfg);
    if (changes.length === 0) return ["(the built-in defaults)"];
    return changes.map((c) => `${c.key} ${shown(c.key, c.to)}${pending.has(c.key) ? "   ! after a restart" : ""}`);
}

export function showRunningConfig(ctx: ConsoleContext): CommandOutput {
    const cc = ctx.providers.configControl;
    const pending = new Set(
        diffConfig(ctx.service.config, accepted(ctx))
            .filter((c) => c.requiresRestart)
            .map((c) => c.key),
    );
    const unsaved = cc?.unsaved?.() ?? [];
    return [
        "! running configuration: what differs from the built-in defaults (secrets not shown)",
        ...configLines(accepted(ctx), pending),
        unsaved.length === 0
            ? "! no unsaved changes"
            : `! ${unsaved.length} change(s) not saved (${unsaved.join(", ")}): write memory`,
    ];
}

export function showStartupConfig(ctx: ConsoleContext): CommandOutput {
    const cc = ctx.providers.configControl;
    let startup: Config;
    try {
        startup = cc?.startup?.() ?? ctx.service.config;
    } catch (err) {
        return [`% The next start would fail: ${(err as Error).message}`];
    }
    return [
        "! startup configuration: what the next start runs with (config file, saved changes, environment,",
        "! desired configuration), as it differs from the built-in defaults (secrets not shown)",
        ...configLines(startup),
    ];
}

export async function writeMemory(ctx: ConsoleContext): Promise<CommandOutput> {
    const save = ctx.providers.configControl?.saveConfig;
    if (save === undefined) return ["% Saving is not available on this console"];
    let r: SaveResult;
    try {
        r = await save.call(ctx.providers.configControl);
    } catch (err) {
        return [`% ${(err as Error).message}`];
    }
    return [
        "Building configuration...",
        r.saved.length === 0
            ? `Nothing to save: the next start runs with the running configuration (${r.file} removed)`
            : `Saved ${r.saved.length} change(s) to ${r.file}: ${r.saved.join(", ")}`,
        ...r.notSaved.map((n) => `% Not saved: ${n.key}: ${n.reason}`),
        "[OK]",
    ];
}

type Node = CommandNode<ConsoleContext>;

/** `show running-config` and `show startup-config`. */
export const showConfigNodes: Node[] = [
    { word: "parameters", help: "Service parameters", run: showParameters },
    { word: "running-config", help: "The configuration in effect, and what is not saved", run: showRunningConfig },
    { word: "startup-config", help: "The configuration the next start runs with", run: showStartupConfig },
];

/** `set parameter <key> <value>`, `write memory`. */
export const configNodes: Node[] = [
    {
        word: "set",
        help: "Change a setting",
        privileged: true,
        children: [
            {
                word: "parameter",
                help: "Change a configuration key (callbackd params; the same keys as MQTT set-parameter)",
                children: [
                    {
                        word: "<key>",
                        help: "Configuration key",
                        candidates: settableKeys,
                        children: [
                            {
                                word: "<value>",
                                help: "New value: the rest of the line (null for none; lists as a,b or JSON)",
                                rest: true,
                                run: (ctx, a) => setParameter(ctx, a.key ?? "", a.value ?? ""),
                            },
                        ],
                    },
                ],
            },
        ],
    },
    {
        word: "write",
        help: "Save the running configuration for the next start",
        privileged: true,
        run: writeMemory,
        children: [{ word: "memory", help: "Save the running configuration", run: writeMemory }],
    },
];
