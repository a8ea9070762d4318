/** The console's `show` commands: what the box knows, rendered for the operator. */
import type { DeviceView, ForwardingView } from "../cluster/types.js";
import { captureFilter, qbePorts } from "../config/load.js";
import { sanitizeBrokerUrl } from "../mgmt/brokerClient.js";
import type { CommandOutput } from "./commandTree.js";
import type { ConsoleContext } from "./context.js";
import { duration, hms, iso, keyValues, phoneName, table } from "./format.js";

export function findPhone(ctx: ConsoleContext, name: string): DeviceView | null {
    const m = ctx.service.model;
    const byKey = m.device(name) ?? m.device(name.toUpperCase());
    if (byKey !== null) return byKey;
    const lower = name.toLowerCase();
    return m.allDevices().find((d) => (d.name ?? d.key).toLowerCase() === lower || d.ip === name) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// show

export function showVersion(ctx: ConsoleContext): CommandOutput {
    const p = ctx.providers;
    return [
        `callbackd version ${p.version ?? "unknown"}`,
        `Node.js ${process.version} on ${process.platform}/${process.arch}`,
        `Hostname ${p.hostname ?? "callbackd"}, uptime ${duration(Date.now() - ctx.startedAt)}`,
    ];
}

export function showStatus(ctx: ConsoleContext): CommandOutput {
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

export function showPhones(ctx: ConsoleContext, filter: string | undefined): CommandOutput {
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
export function showKnowledge(ctx: ConsoleContext): CommandOutput {
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

export function showPhone(ctx: ConsoleContext, name: string): CommandOutput {
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

export function showLines(ctx: ConsoleContext): CommandOutput {
    const m = ctx.service.model;
    const rows = m.allDns().map((dn) => {
        const v = m.dn(dn);
        const waiting = ctx.service.state.requests.filter((r) => r.calledDn === dn).length;
        return [dn, m.dnState(dn), String(v.devices.length), String(waiting)];
    });
    return [...table(["DN", "State", "Devices", "Call-backs waiting"], rows), `${rows.length} lines`];
}

export function showCalls(ctx: ConsoleContext): CommandOutput {
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

export function showCallbacks(ctx: ConsoleContext): CommandOutput {
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

export function showAlarms(ctx: ConsoleContext, history: boolean): CommandOutput {
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

export function showCapture(ctx: ConsoleContext): CommandOutput {
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

export function showCti(ctx: ConsoleContext): CommandOutput {
    const c = ctx.service.model.ctiStatus();
    const rows = c.sessions.map((s) => [s.session, s.state, iso(s.since * 1000), s.reason ?? ""]);
    return [
        `CTI status: ${c.status}`,
        ...(rows.length === 0 ? ["No CTI sessions seen"] : table(["Session", "State", "Since", "Reason"], rows)),
    ];
}

export function showMqtt(ctx: ConsoleContext): CommandOutput {
    const sec = ctx.service.config.mqtt;
    const out = [
        `Broker      : ${sec.url === null ? "(none)" : sanitizeBrokerUrl(sec.url).url}`,
        `Identity    : site ${sec.site}, node ${sec.node}, user ${sec.username ?? "-"}, password ${sec.password === null ? "not set" : "set"}`,
    ];
    const m = ctx.providers.mqtt;
    if (m === undefined) return [...out, "Management plane not running"];
    return [...out, `Connected   : ${m.connected ? "yes" : "no"}`, ...keyValues(m.status(), "  ")];
}

export function showRedundancy(ctx: ConsoleContext): CommandOutput {
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

export function showFlash(ctx: ConsoleContext): CommandOutput {
    const w = ctx.service.writer.stats;
    const s = ctx.service.store;
    return [
        `State dir   : ${ctx.service.config.state.dir ?? "(memory)"}`,
        `Generation  : ${String(s.generation)}`,
        ...keyValues(w, "  writer."),
        ...keyValues(s.stats, "  slots."),
    ];
}

export function showLog(ctx: ConsoleContext, n: number): CommandOutput {
    const lines = ctx.providers.logLines?.(n) ?? ctx.history().events.slice(-n);
    return lines.length === 0 ? ["Log is empty"] : [...lines];
}
