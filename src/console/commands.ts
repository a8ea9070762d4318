/**
 * The console's command tree and what each command does, against the running CallbackService and the
 * optional providers (alarms, MQTT, configuration control, capture statistics, reload).
 */
import type { EngineEffect } from "../callback/types.js";
import type { ClusterEvent, DeviceView, ForwardingView } from "../cluster/types.js";
import { captureFilter, qbePorts } from "../config/load.js";
import type { SaveResult } from "../config/saved.js";
import type { Config } from "../config/types.js";
import { getLogger, levels, resetLevel, setLevel } from "../logging/logger.js";
import { redactDeep } from "../logging/redact.js";
import type { AlarmInstance } from "../mgmt/alarmManager.js";
import { sanitizeBrokerUrl } from "../mgmt/brokerClient.js";
import type { SetParameterResult } from "../mgmt/configControl.js";
import { buildExecute } from "../phone/xsi.js";
import type { RedundancyStatus } from "../redundancy/manager.js";
import type { CallbackService } from "../service/callbackService.js";
import { serviceApi } from "../service/serviceApi.js";
import type { CommandNode, CommandOutput } from "./commandTree.js";
import { configNodes, showConfigNodes } from "./configCommands.js";
import type { SessionControl } from "./session.js";
import { showDn } from "./showDn.js";

/** Debug channels (`debug sccp|qbe|callback|xsi`) and the log namespaces they raise to debug. */
export const DEBUG_CHANNELS = { sccp: "sccp", qbe: "qbe", callback: "callback", xsi: "phone" } as const;
export type DebugChannel = keyof typeof DEBUG_CHANNELS;

/** A service event as the console sees it (cluster events and engine effects). */
export type ConsoleEvent = ClusterEvent | EngineEffect;

/** Capture statistics for `show capture`. */
export interface CaptureStats {
    interface: string | null;
    file?: string | null;
    filter?: string;
    packets: number;
    drops: number;
    ifDrops?: number;
}

/** Optional providers; each `show` degrades to what the service itself knows when absent. */
export interface ConsoleProviders {
    /** Active alarms (MqttManagement.alarms). Absent: the engine's own alarm ids. */
    alarms?: { active(): AlarmInstance[]; clear?(id: string): void };
    /** The MQTT plane (MqttManagement). */
    mqtt?: { readonly connected: boolean; status(): Record<string, unknown> };
    /** Validated configuration changes, kept for the next start (ConfigControl). */
    configControl?: {
        readonly current: Config;
        setParameter(key: string, value: unknown): Promise<SetParameterResult>;
        /** `write memory`. */
        saveConfig?(): Promise<SaveResult>;
        /** What the next start runs with. */
        startup?(): Config;
        /** Keys whose running value is not saved. */
        unsaved?(): string[];
    };
    /** This box's redundancy role and the other boxes of the site (RedundancyManager.status). */
    redundancy?: () => RedundancyStatus;
    /** libpcap statistics of the live capture. */
    capture?: () => CaptureStats;
    /** Restarts the service (systemd restarts the process); absent: `reload` is refused. */
    reload?: () => void | Promise<void>;
    /** Recent log lines (newest last) for `show log`; absent: the console's own event log. */
    logLines?: (n: number) => string[];
    version?: string;
    hostname?: string;
    /** `debug` also raises the channel's log namespace to debug (journald); default true. */
    logLevels?: boolean;
}

/** Per-session debug state. */
export interface DebugState {
    channels: Set<DebugChannel>;
    device: string | null;
}

/** Everything a command sees. */
export interface ConsoleContext {
    service: CallbackService;
    providers: ConsoleProviders;
    session: SessionControl;
    debug: DebugState;
    /** Shared event and alarm history of the console hub (newest last). */
    history(): { events: readonly string[]; alarms: readonly string[] };
    startedAt: number;
    /** Debug channels wanted by any session (recomputed on debug/undebug). */
    onDebugChanged(): void;
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

/** Left-aligned columns. */
export function table(headers: string[], rows: string[][]): string[] {
    const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (r: string[]) =>
        r
            .map((c, i) => c.padEnd(w[i] ?? 0))
            .join("  ")
            .trimEnd();
    return [line(headers), line(w.map((n) => "-".repeat(n))), ...rows.map(line)];
}

function iso(ms: number | null | undefined): string {
    return ms === null || ms === undefined || !Number.isFinite(ms) ? "-" : new Date(ms).toISOString().slice(0, 19);
}

/** Time of day (UTC) of an instant, or "-". */
function hms(ms: number): string {
    return Number.isFinite(ms) ? iso(ms).slice(11) : "-";
}

function duration(ms: number): string {
    const s = Math.max(0, Math.floor(ms / 1000));
    const d = Math.floor(s / 86400);
    const h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    return `${d > 0 ? `${d}d ` : ""}${h}h ${m}m ${s % 60}s`;
}

/** One value on a line: lists joined, objects (also inside lists) as JSON, never "[object Object]". */
function text(v: unknown): string {
    if (Array.isArray(v)) return v.length === 0 ? "(none)" : v.map(text).join(", ");
    if (v !== null && typeof v === "object") return Object.keys(v).length === 0 ? "(none)" : JSON.stringify(v);
    return String(v);
}

/** `key: value` lines of a flat or nested object, secrets redacted. */
export function keyValues(obj: unknown, prefix = ""): string[] {
    const out: string[] = [];
    const safe = redactDeep(obj);
    const walk = (v: unknown, path: string): void => {
        if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0) {
            for (const [k, x] of Object.entries(v)) walk(x, path === "" ? k : `${path}.${k}`);
            return;
        }
        out.push(`${prefix}${path}: ${text(v)}`);
    };
    walk(safe, "");
    return out;
}

function phoneName(d: DeviceView): string {
    return d.name ?? d.key;
}

function findPhone(ctx: ConsoleContext, name: string): DeviceView | null {
    const m = ctx.service.model;
    const byKey = m.device(name) ?? m.device(name.toUpperCase());
    if (byKey !== null) return byKey;
    const lower = name.toLowerCase();
    return m.allDevices().find((d) => (d.name ?? d.key).toLowerCase() === lower || d.ip === name) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// show

function showVersion(ctx: ConsoleContext): CommandOutput {
    const p = ctx.providers;
    return [
        `callbackd version ${p.version ?? "unknown"}`,
        `Node.js ${process.version} on ${process.platform}/${process.arch}`,
        `Hostname ${p.hostname ?? "callbackd"}, uptime ${duration(Date.now() - ctx.startedAt)}`,
    ];
}

function showStatus(ctx: ConsoleContext): CommandOutput {
    const svc = ctx.service;
    const st = svc.model.stats();
    const c = svc.counters;
    const active = ctx.providers.alarms?.active().length ?? svc.state.alarms.length;
    const registered = svc.model.allDevices().filter((d) => d.registration === "registered").length;
    const mqtt = ctx.providers.mqtt;
    return [
        `Call-back requests : ${svc.state.requests.length}`,
        `Phones             : ${st.devices} (${registered} registered)`,
        `Calls              : ${st.calls}`,
        `CTI                : ${svc.model.ctiStatus().status}`,
        `Pushes             : ${c.pushOk} ok, ${c.pushFailed} failed, ${c.notifications} notifications`,
        `Alarms active      : ${active}`,
        `MQTT               : ${mqtt === undefined ? "not configured" : mqtt.connected ? "connected" : "disconnected"}`,
        `Phone HTTP service : ${svc.http.baseUrl}`,
    ];
}

function yesNo(v: boolean | null): string {
    return v === null ? "?" : v ? "yes" : "NO";
}

function showPhones(ctx: ConsoleContext, filter: string | undefined): CommandOutput {
    const f = filter?.toLowerCase();
    const all = ctx.service.model.allDevices();
    const rows = all
        .filter(
            (d) =>
                f === undefined ||
                phoneName(d).toLowerCase().includes(f) ||
                d.lines.some((l) => l.dn?.includes(f)) ||
                (d.userName ?? "").toLowerCase().includes(f),
        )
        .map((d) => [
            phoneName(d),
            d.ip ?? "-",
            d.model ?? "-",
            d.registration,
            d.lines.map((l) => l.dn ?? "-").join(",") || "-",
            `${yesNo(d.softKeys.callBackInOnHook)}/${yesNo(d.softKeys.callBackInRingOut)}`,
            learnedHow(d),
        ]);
    const unlearned = all.filter((d) => d.knowledge.missing.length > 0).length;
    return [
        ...table(["Name", "IP", "Model", "State", "DNs", "CallBack key (on-hook/ring-out)", "Learned"], rows),
        `${rows.length} of ${all.length} phones`,
        ...(unlearned > 0
            ? [
                  `${unlearned} marked LACKS: their CallBack presses or numbers are not known; reset them from CallManager, or wait for their next registration`,
              ]
            : []),
    ];
}

/** How the box knows a phone, and what it lacks (the `show phones` column). */
function learnedHow(d: DeviceView): string {
    const k = d.knowledge;
    const how = k.restored ? (k.seenAt === null ? "restored" : "restored, seen") : k.learnedBy;
    const missing = k.missing.map((m) => (m === "callback-key" ? "CallBack key" : "numbers")).join(" + ");
    return missing === "" ? how : `${how}; LACKS ${missing}`;
}

/** `show cluster knowledge`: how the box knows the phones (what survives a restart). */
function showKnowledge(ctx: ConsoleContext): CommandOutput {
    const s = ctx.service.model.knowledgeSummary();
    const unlearned = ctx.service.model.unlearnedPhones();
    return [
        `Phones known                : ${s.devices}`,
        `Learned at registration     : ${s.registration}`,
        `Restored from flash         : ${s.restored} (${s.confirmed} seen since)`,
        `Inferred from traffic       : ${s.inferred}`,
        `Unlearned (with traffic)    : ${s.unlearned}`,
        ...unlearned
            .slice(0, 20)
            .map(
                (p) =>
                    `  ${p.name ?? p.device}${p.ip !== null && p.name !== null ? ` ${p.ip}` : ""} lacks ${p.missing.join(" and ")}`,
            ),
        ...(unlearned.length > 20 ? [`  ... and ${unlearned.length - 20} more (show phones)`] : []),
    ];
}

function showPhone(ctx: ConsoleContext, name: string): CommandOutput {
    const d = findPhone(ctx, name);
    if (d === null) return [`% No phone ${name}`];
    const out = [
        `Phone ${phoneName(d)} (${d.model ?? "unknown model"}${d.supportsCallBackSoftkey ? "" : ", cannot press CallBack"})`,
        `  MAC ${d.mac ?? "-"}, IP ${d.ip ?? "-"}, firmware ${d.firmware ?? "-"}, user ${d.userName ?? "-"}`,
        `  Registration ${d.registration}${d.inferred ? " (inferred)" : ""} since ${iso(d.registeredAt === null ? null : d.registeredAt * 1000)}, CallManager ${d.cm ?? "-"}`,
        `  Keepalive ${d.keepAliveS ?? "-"} s, last seen ${iso(d.lastSeen * 1000)}${d.uncertain ? ", state uncertain" : ""}`,
        `  CallBack softkey: on-hook ${String(d.softKeys.callBackInOnHook ?? "unknown")}, ring-out ${String(d.softKeys.callBackInRingOut ?? "unknown")}`,
        `  CTI registered: ${d.ctiRegistered === null ? "unknown" : String(d.ctiRegistered)}`,
        `  Learned: ${d.knowledge.learnedBy === "registration" ? "at its registration" : "from its traffic"} ${iso(d.knowledge.learnedAt * 1000)}${d.knowledge.restored ? ", restored from flash" : ""}${d.knowledge.missing.length > 0 ? `; LACKS ${d.knowledge.missing.join(" and ")} (reset it from CallManager, or wait for its next registration)` : ""}`,
    ];
    for (const l of d.lines) {
        out.push(
            `  Line ${l.instance}: ${l.dn ?? "-"} ${l.displayName ?? ""} ${l.state}${forwardingText(l.forwarding)}`,
        );
        for (const c of l.calls) {
            out.push(
                `    call ${c.callRef} ${c.stateName} ${c.direction} ${c.callingParty ?? "-"} -> ${c.calledParty ?? c.dialed ?? "-"}`,
            );
        }
    }
    const reqs = ctx.service.state.requests.filter((r) => r.caller.device === d.key);
    for (const r of reqs)
        out.push(`  Call-back ${r.id} to ${r.calledDn}: ${r.phase}${r.suspended ? " (suspended)" : ""}`);
    for (const l of d.links) out.push(`  Link ${l.cm} ${l.role} ${l.state}`);
    return out;
}

/** " (forward all to 1005, busy to 1006)" when a line forwards, else "" (a line always has the record). */
function forwardingText(f: ForwardingView | null): string {
    if (f === null) return "";
    const parts = [
        ...(f.all ? [`all to ${f.all}`] : []),
        ...(f.busy ? [`busy to ${f.busy}`] : []),
        ...(f.noAnswer ? [`no answer to ${f.noAnswer}`] : []),
    ];
    return parts.length === 0 ? "" : ` (forward ${parts.join(", ")})`;
}

function showLines(ctx: ConsoleContext): CommandOutput {
    const m = ctx.service.model;
    const rows = m.allDns().map((dn) => {
        const v = m.dn(dn);
        const waiting = ctx.service.state.requests.filter((r) => r.calledDn === dn).length;
        return [dn, m.dnState(dn), String(v.devices.length), String(waiting)];
    });
    return [...table(["DN", "State", "Devices", "Call-backs waiting"], rows), `${rows.length} lines`];
}

function showCalls(ctx: ConsoleContext): CommandOutput {
    const rows = ctx.service.model
        .liveCalls()
        .map((c) => [
            c.device,
            String(c.line),
            String(c.callRef),
            c.stateName,
            c.direction,
            c.callingParty ?? "-",
            c.calledParty ?? c.dialed ?? "-",
        ]);
    return [...table(["Device", "Line", "Ref", "State", "Dir", "From", "To"], rows), `${rows.length} calls`];
}

function showCallbacks(ctx: ConsoleContext): CommandOutput {
    const reqs = ctx.service.state.requests;
    const rows = reqs.map((q) => [
        q.id,
        q.caller.name ?? q.caller.device,
        q.caller.dn ?? "-",
        q.calledDn,
        q.trigger,
        `${q.phase}${q.suspended ? "*" : ""}`,
        hms(q.createdAt),
        hms(q.expiresAt),
    ]);
    return [
        ...table(["Id", "Caller", "From", "To", "Trigger", "Phase", "Created", "Expires"], rows),
        `${reqs.length} call-back requests${reqs.some((q) => q.suspended) ? " (* suspended)" : ""}`,
    ];
}

function showAlarms(ctx: ConsoleContext, history: boolean): CommandOutput {
    if (history) {
        const h = ctx.history().alarms;
        return h.length === 0 ? ["No alarm history"] : [...h];
    }
    const a = ctx.providers.alarms;
    if (a === undefined) {
        const ids = ctx.service.state.alarms;
        return ids.length === 0 ? ["No active alarms"] : ids.map((id) => `ACTIVE  ${id}`);
    }
    const rows = a.active().map((x) => [x.severity, x.key, iso(x.firstRaised), String(x.count), x.text, x.action]);
    return rows.length === 0
        ? ["No active alarms"]
        : table(["Severity", "Alarm", "Since", "Count", "Text", "Action"], rows);
}

function showCapture(ctx: ConsoleContext): CommandOutput {
    const cfg = ctx.service.config;
    const live = ctx.providers.capture?.();
    const w = ctx.service.pipeline.counters as unknown as Record<string, unknown>;
    const out = [
        `Interface   : ${live?.interface ?? cfg.capture.interface ?? "-"}`,
        `File        : ${live?.file ?? cfg.capture.file ?? "-"}`,
        `Filter      : ${live?.filter ?? captureFilter(cfg)}`,
        `SCCP ports  : ${cfg.capture.sccpPorts.join(", ")}`,
        `QBE ports   : ${qbePorts(cfg).join(", ")}`,
    ];
    if (live !== undefined) {
        out.push(
            `Packets     : ${live.packets}`,
            `Drops       : ${live.drops}${live.ifDrops === undefined ? "" : ` (interface ${live.ifDrops})`}`,
        );
    } else out.push("Packets     : (no live capture statistics)");
    out.push("Wire counters:");
    for (const [k, v] of Object.entries(w))
        if (typeof v === "number" || typeof v === "bigint") out.push(`  ${k}: ${v}`);
    return out;
}

function showCti(ctx: ConsoleContext): CommandOutput {
    const c = ctx.service.model.ctiStatus();
    const rows = c.sessions.map((s) => [s.session, s.state, iso(s.since * 1000), s.reason ?? ""]);
    return [
        `CTI status: ${c.status}`,
        ...(rows.length === 0 ? ["No CTI sessions seen"] : table(["Session", "State", "Since", "Reason"], rows)),
    ];
}

function showMqtt(ctx: ConsoleContext): CommandOutput {
    const sec = ctx.service.config.mqtt;
    const out = [
        `Broker      : ${sec.url === null ? "(none)" : sanitizeBrokerUrl(sec.url).url}`,
        `Identity    : site ${sec.site}, node ${sec.node}, user ${sec.username ?? "-"}, password ${sec.password === null ? "not set" : "set"}`,
    ];
    const m = ctx.providers.mqtt;
    if (m === undefined) return [...out, "Management plane not running"];
    return [...out, `Connected   : ${m.connected ? "yes" : "no"}`, ...keyValues(m.status(), "  ")];
}

function showRedundancy(ctx: ConsoleContext): CommandOutput {
    const r = ctx.providers.redundancy?.();
    const boxes: string[] =
        r === undefined
            ? ["This box       : single (redundancy not enabled)"]
            : [
                  `This box       : ${r.node}, ${r.role}${r.connected ? "" : " (broker not connected: role kept)"}`,
                  `Active box     : ${r.active ?? "none seen"}${r.splitBrain ? " — SPLIT BRAIN" : ""}`,
                  `State          : term ${r.term}, sequence ${r.seq}`,
                  ...(r.lastChange !== null
                      ? [
                            `Last change    : ${new Date(r.lastChange.at).toISOString()} → ${r.lastChange.role}: ${r.lastChange.reason}`,
                        ]
                      : []),
                  ...(r.members.length === 0
                      ? ["Other boxes    : none seen"]
                      : table(
                            ["Box", "Address", "Priority", "Role", "Term", "Seq", "Heard"],
                            r.members.map((m) => [
                                m.node,
                                m.address,
                                String(m.priority),
                                m.role,
                                String(m.term),
                                String(m.seq),
                                `${m.ageMs} ms ago`,
                            ]),
                        )),
              ];
    const rows = ctx.service.model.callManagers().map((c) => [c.cm, String(c.primary), String(c.standby)]);
    return [
        ...boxes,
        "",
        ...(rows.length === 0 ? ["No CallManager links seen"] : table(["CallManager", "Primary", "Standby"], rows)),
    ];
}

function showFlash(ctx: ConsoleContext): CommandOutput {
    const w = ctx.service.writer.stats;
    const s = ctx.service.store;
    return [
        `State dir   : ${ctx.service.config.state.dir ?? "(memory)"}`,
        `Generation  : ${String(s.generation)}`,
        ...keyValues(w, "  writer."),
        ...keyValues(s.stats, "  slots."),
    ];
}

function showLog(ctx: ConsoleContext, n: number): CommandOutput {
    const lines = ctx.providers.logLines?.(n) ?? ctx.history().events.slice(-n);
    return lines.length === 0 ? ["Log is empty"] : [...lines];
}

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

/** One line describing an event for `debug` output and `show log`, or null when it is not on `channel`. */
export function eventChannel(e: ConsoleEvent): DebugChannel {
    switch (e.type) {
        case "CtiLinkChanged":
            return "qbe";
        case "ShowScreen":
        case "Notify":
        case "RevokeTickets":
            return "xsi";
        case "DeviceRegistered":
        case "DeviceUnregistered":
        case "LineStateChanged":
        case "CallBackPressed":
        case "SoftKeyPressed":
        case "ForwardingChanged":
        case "CallManagerLinkChanged":
            return "sccp";
        default:
            return "callback";
    }
}

/** The phone an event is about (for `debug … device <name>`), or null. */
export function eventDevice(e: ConsoleEvent): string | null {
    if ("device" in e && typeof e.device === "string") return e.device;
    if ("request" in e) return e.request.caller.device;
    return null;
}

/** A short one-line rendering of an event (secrets redacted, bulky fields left out). */
export function formatEvent(e: ConsoleEvent, now: number): string {
    const { type, ...rest } = e as unknown as { type: string } & Record<string, unknown>;
    const parts: string[] = [];
    for (const [k, v] of Object.entries(redactDeep(rest) as Record<string, unknown>)) {
        if (
            v === null ||
            v === undefined ||
            k === "t" ||
            k === "request" ||
            k === "params" ||
            k === "actions" ||
            k === "phoneTime"
        )
            continue;
        parts.push(`${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
    }
    return `${iso(now).slice(11)} ${eventChannel(e).toUpperCase()} ${type} ${parts.join(" ")}`.slice(0, 400);
}
