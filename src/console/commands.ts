/**
 * The console's command tree and what each command does, against the running service (ConsoleService,
 * context.ts) and the optional providers (alarms, MQTT, configuration control, capture statistics, reload).
 */
import { getLogger, levels, resetLevel, setLevel } from "../logging/logger.js";
import { buildExecute } from "../phone/xsi.js";
import { serviceApi } from "../service/serviceApi.js";
import type { CommandNode, CommandOutput } from "./commandTree.js";
import { configNodes, showConfigNodes } from "./configCommands.js";
import { type ConsoleContext, DEBUG_CHANNELS, type DebugChannel } from "./context.js";
import { phoneName } from "./format.js";
import {
    findPhone,
    showAlarms,
    showCallbacks,
    showCalls,
    showCapture,
    showCti,
    showFlash,
    showKnowledge,
    showLines,
    showLog,
    showMqtt,
    showPhone,
    showPhones,
    showRedundancy,
    showStatus,
    showVersion,
} from "./show.js";
import { showDn } from "./showDn.js";

export {
    type CaptureStats,
    type ConsoleContext,
    type ConsoleEvent,
    type ConsoleProviders,
    type ConsoleService,
    DEBUG_CHANNELS,
    type DebugChannel,
    type DebugState,
} from "./context.js";
export { eventChannel, eventDevice, formatEvent, keyValues, table } from "./format.js";

// ---------------------------------------------------------------------------------------------------------
// mutating

async function clearCallback(ctx: ConsoleContext, target: string): Promise<CommandOutput> {
    const reqs = ctx.service.state.requests;
    const ids = reqs.some((r) => r.id === target)
        ? [target]
        : reqs
              .filter((r) => {
                  const phone = findPhone(ctx, target);
                  return (phone !== null && r.caller.device === phone.key) || r.caller.dn === target;
              })
              .map((r) => r.id);
    if (ids.length === 0) return [`% No call-back ${target}`];
    const api = serviceApi(ctx.service);
    for (const id of ids) await api.cancelCallback(id);
    return ids.map((id) => `Call-back ${id} cancelled`);
}

function clearAlarms(ctx: ConsoleContext): CommandOutput {
    const a = ctx.providers.alarms;
    if (a?.clear === undefined) return ["% Alarms are cleared by their condition on this console"];
    const active = a.active();
    for (const x of active) a.clear(x.id);
    return [`${active.length} alarms cleared`];
}

async function testPush(ctx: ConsoleContext, name: string): Promise<CommandOutput> {
    const d = findPhone(ctx, name);
    if (d === null) return [`% No phone ${name}`];
    if (d.ip === null) return [`% ${phoneName(d)} has no known address`];
    if (ctx.service.push === null) return ["% phones.pushUser/pushPassword are not configured"];
    // The seed's "no call-back active" screen (Exit only): harmless, and it exercises the phone-facing service too.
    const { url } = ctx.service.http.issue({
        device: d.key,
        phoneIp: d.ip,
        kind: "notActive",
        params: {},
        ...(d.model ? { model: d.model } : {}),
    });
    const out = await ctx.service.push.push(
        { ip: d.ip, ...(d.name ? { device: d.name } : {}) },
        buildExecute([{ url, priority: 0 }]),
    );
    return [`Push to ${phoneName(d)} (${d.ip}): ${out.ok ? "ok" : `failed: ${out.code}`}`];
}

/** Log levels that `debug` replaced (namespace → its own level before, or null when it inherited). */
const savedLevels = new Map<string, string | null>();

function raiseLogLevel(ns: string): void {
    if (!savedLevels.has(ns)) {
        const own = levels().find((l) => l.namespace === ns && l.explicit);
        savedLevels.set(ns, own === undefined ? null : own.level);
    }
    setLevel(ns, "debug");
}

function restoreLogLevel(ns: string): void {
    const before = savedLevels.get(ns);
    savedLevels.delete(ns);
    if (before === undefined || before === null) resetLevel(ns);
    else setLevel(ns, before);
}

function showDebugging(ctx: ConsoleContext): CommandOutput {
    const on = (Object.keys(DEBUG_CHANNELS) as DebugChannel[]).filter((c) => ctx.debug.channels.has(c));
    if (on.length === 0) return ["No debugging is on in this session"];
    const device = ctx.debug.device === null ? "" : ` for device ${ctx.debug.device}`;
    return [
        "Call Back debugging (this session):",
        ...on.map((c) => `  ${c} debugging is on${device} (log namespace ${DEBUG_CHANNELS[c]} at debug)`),
    ];
}

function debugOn(ctx: ConsoleContext, ch: DebugChannel | "all", device: string | undefined): CommandOutput {
    const list = ch === "all" ? (Object.keys(DEBUG_CHANNELS) as DebugChannel[]) : [ch];
    for (const c of list) {
        ctx.debug.channels.add(c);
        if (ctx.providers.logLevels !== false) raiseLogLevel(DEBUG_CHANNELS[c]);
    }
    if (device !== undefined) ctx.debug.device = device;
    ctx.onDebugChanged();
    return list.map((c) => `${c} debugging is on${ctx.debug.device === null ? "" : ` for device ${ctx.debug.device}`}`);
}

function debugOff(ctx: ConsoleContext, ch: DebugChannel | "all"): CommandOutput {
    const list = ch === "all" ? [...ctx.debug.channels] : [ch];
    for (const c of list) {
        ctx.debug.channels.delete(c);
        if (ctx.providers.logLevels !== false) restoreLogLevel(DEBUG_CHANNELS[c]);
    }
    if (ctx.debug.channels.size === 0) ctx.debug.device = null;
    ctx.onDebugChanged();
    return ch === "all" ? ["All possible debugging has been turned off"] : [`${ch} debugging is off`];
}

// ---------------------------------------------------------------------------------------------------------
// the tree

type Node = CommandNode<ConsoleContext>;

const phoneNames = (ctx: ConsoleContext): string[] => ctx.service.model.allDevices().map(phoneName);

function debugTree(on: boolean): Node[] {
    const channels = (Object.keys(DEBUG_CHANNELS) as DebugChannel[]).map(
        (c): Node => ({
            word: c,
            help: `${c === "xsi" ? "Phone pushes and screens" : c === "callback" ? "Call-back engine" : c.toUpperCase()} events`,
            run: (ctx) => (on ? debugOn(ctx, c, undefined) : debugOff(ctx, c)),
            ...(on
                ? {
                      children: [
                          {
                              word: "device",
                              help: "Only this phone",
                              children: [
                                  {
                                      word: "<name>",
                                      help: "Phone name",
                                      candidates: phoneNames,
                                      run: (ctx, a) => debugOn(ctx, c, a.name),
                                  },
                              ],
                          },
                      ],
                  }
                : {}),
        }),
    );
    return [
        ...channels,
        {
            word: "all",
            help: "All channels",
            run: (ctx) => (on ? debugOn(ctx, "all", undefined) : debugOff(ctx, "all")),
        },
    ];
}

/** The whole command tree. */
export function commandTree(): Node[] {
    return [
        {
            word: "show",
            help: "Show running system information",
            children: [
                { word: "version", help: "Software version and uptime", run: showVersion },
                { word: "status", help: "Service summary", run: showStatus },
                {
                    word: "phones",
                    help: "Phones seen on the wire",
                    preferred: true,
                    run: (ctx) => showPhones(ctx, undefined),
                    children: [
                        { word: "<filter>", help: "DN or name (part of)", run: (ctx, a) => showPhones(ctx, a.filter) },
                    ],
                },
                {
                    word: "phone",
                    help: "One phone in detail",
                    children: [
                        {
                            word: "<name>",
                            help: "Phone name (SEP...)",
                            candidates: phoneNames,
                            run: (ctx, a) => showPhone(ctx, a.name ?? ""),
                        },
                    ],
                },
                { word: "lines", help: "Directory numbers and their state", run: showLines },
                {
                    word: "cluster",
                    help: "What the box knows about the cluster",
                    children: [
                        {
                            word: "knowledge",
                            help: "How the phones were learned (kept across restarts) and which lack what",
                            run: showKnowledge,
                        },
                    ],
                },
                {
                    word: "dn",
                    help: "One directory number: state, where it is seen, whether Call Back can watch it",
                    children: [
                        {
                            word: "<number>",
                            help: "Directory number",
                            run: (ctx, a) => showDn(ctx.service, a.number ?? ""),
                        },
                    ],
                },
                { word: "calls", help: "Calls in progress", run: showCalls },
                { word: "callbacks", help: "Call-back requests", run: showCallbacks },
                {
                    word: "alarms",
                    help: "Active alarms",
                    run: (ctx) => showAlarms(ctx, false),
                    children: [{ word: "history", help: "Alarm transitions", run: (ctx) => showAlarms(ctx, true) }],
                },
                ...showConfigNodes,
                { word: "capture", help: "Capture interface, filter and counters", run: showCapture },
                { word: "cti", help: "CTI (QBE) link state", run: showCti },
                { word: "mqtt", help: "MQTT management plane", run: showMqtt },
                {
                    word: "redundancy",
                    help: "This box's role, the other boxes, CallManager links",
                    run: showRedundancy,
                },
                { word: "flash", help: "State snapshots on flash", run: showFlash },
                { word: "debugging", help: "Debugging turned on in this session", run: showDebugging },
                {
                    word: "log",
                    help: "Recent log lines",
                    run: (ctx) => showLog(ctx, 20),
                    children: [
                        {
                            word: "<count>",
                            help: "Number of lines",
                            run: (ctx, a) => {
                                const n = Number(a.count);
                                return Number.isInteger(n) && n > 0
                                    ? showLog(ctx, Math.min(n, 1000))
                                    : ["% Count must be a positive number"];
                            },
                        },
                    ],
                },
            ],
        },
        { word: "debug", help: "Live trace lines on this console", children: debugTree(true) },
        { word: "undebug", help: "Turn debugging off", children: debugTree(false) },
        {
            word: "clear",
            help: "Reset state",
            privileged: true,
            children: [
                {
                    word: "callback",
                    help: "Cancel call-back requests",
                    children: [
                        {
                            word: "<id>",
                            help: "Request id (cb-N), phone name or DN",
                            candidates: (ctx) => ctx.service.state.requests.map((r) => r.id),
                            run: (ctx, a) => clearCallback(ctx, a.id ?? ""),
                        },
                    ],
                },
                { word: "alarms", help: "Clear active alarms", run: clearAlarms },
            ],
        },
        ...configNodes,
        {
            word: "test",
            help: "Tests",
            privileged: true,
            children: [
                {
                    word: "push",
                    help: "Push a harmless test screen to a phone",
                    children: [
                        {
                            word: "<name>",
                            help: "Phone name",
                            candidates: phoneNames,
                            run: (ctx, a) => testPush(ctx, a.name ?? ""),
                        },
                    ],
                },
            ],
        },
        {
            word: "snapshot",
            help: "State snapshots",
            children: [
                {
                    word: "now",
                    help: "Write a snapshot to flash now",
                    run: async (ctx) => {
                        await ctx.service.writer.flush();
                        return [`Snapshot written, generation ${String(ctx.service.store.generation)}`];
                    },
                },
            ],
        },
        {
            word: "reload",
            help: "Restart the service",
            privileged: true,
            run: async (ctx) => {
                if (ctx.providers.reload === undefined) return ["% Reload is not available on this console"];
                getLogger("console").warn("reload requested from the console");
                await ctx.providers.reload();
                return ["Reloading..."];
            },
        },
        {
            word: "terminal",
            help: "Terminal settings",
            children: [
                {
                    word: "length",
                    help: "Lines per page",
                    children: [
                        {
                            word: "<lines>",
                            help: "0 for no paging",
                            run: (ctx, a) => {
                                const n = Number(a.lines);
                                if (!Number.isInteger(n) || n < 0 || n > 512) return ["% Length must be 0..512"];
                                ctx.session.setTermLength(n);
                                return [];
                            },
                        },
                    ],
                },
            ],
        },
        {
            word: "enable",
            help: "Turn on privileged commands",
            run: (ctx) => {
                if (!ctx.session.privileged) ctx.session.promptEnable();
                return [];
            },
        },
        {
            word: "disable",
            help: "Turn off privileged commands",
            run: (ctx) => {
                ctx.session.setPrivileged(false);
                return [];
            },
        },
        {
            word: "exit",
            help: "Log out",
            run: (ctx) => {
                ctx.session.logout();
                return [];
            },
        },
        {
            word: "logout",
            help: "Log out",
            run: (ctx) => {
                ctx.session.logout();
                return [];
            },
        },
    ];
}
