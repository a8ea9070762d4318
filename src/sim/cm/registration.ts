/**
 * Phone links: accepting a connection, the keepalive watchdog, registration (the generation a link speaks
 * is chosen here), the configuration requests a phone makes after registering, and routing every other
 * message to the phone's events. A lost link unregisters its device and tears its calls down.
 */
import type { SccpMessage } from "../../sccp/index.js";
import { CmWire, localTime, num } from "../dialect.js";
import { Label, label, Msg, Stimulus } from "../ids.js";
import type { LinkCloseReason, SimLink } from "../network.js";
import { SccpSession } from "../session.js";
import { buildSoftKeySets } from "../softkeys.js";
import { type SimGeneration, SoftKeySet } from "../types.js";
import { deviceGone } from "./calls.js";
import { addDevice } from "./directory.js";
import { enbloc, keypad, offHook, onHook, pressStimulus, softKey } from "./features.js";
import { type CmState, type Conn, run } from "./state.js";

export function accept(s: CmState, link: SimLink): void {
    s.stats.connections++;
    if (s.hung) {
        link.freeze();
        s.frozenLinks.push(link);
        return;
    }
    const conn: Conn = {
        session: null as unknown as SccpSession,
        wire: null as unknown as CmWire,
        gen: s.opts.generation === "cm2" ? "cm2" : "cm4",
        device: null,
        registered: false,
        lastSeen: s.clock.now(),
        watchdog: null,
        ip: link.remoteAddr,
        rtpPort: 16384,
        passThrough: 0,
    };
    conn.session = new SccpSession(link, {
        onMessage: (msg) => run(s, () => onMessage(s, conn, msg)),
        onClose: (reason) => run(s, () => onClose(s, conn, reason)),
        onDirty: (session) => s.dirty.add(session),
        onProtocolError: (text) => protocolError(s, conn, text),
        onSend: () => {
            s.stats.messagesOut++;
        },
    });
    conn.wire = new CmWire(conn.session, conn.gen);
    s.conns.add(conn);
    armWatchdog(s, conn, s.opts.keepAliveTimeoutMs);
}

function protocolError(s: CmState, conn: Conn, text: string): void {
    s.stats.protocolErrors++;
    const name = conn.device?.name ?? conn.ip;
    if (s.errors.length < 100) s.errors.push({ deviceName: name, text });
    s.events.emit("protocolError", name, text);
}

function armWatchdog(s: CmState, conn: Conn, ms: number): void {
    conn.watchdog = s.clock.setTimer(ms, () => {
        conn.watchdog = null;
        const idle = s.clock.now() - conn.lastSeen;
        const limit = s.opts.keepAliveTimeoutMs;
        if (idle < limit) {
            armWatchdog(s, conn, limit - idle);
            return;
        }
        s.stats.keepAliveTimeouts++;
        run(s, () => {
            dropConn(s, conn, "keepalive timeout");
            conn.session.close();
        });
    });
}

function onClose(s: CmState, conn: Conn, reason: LinkCloseReason): void {
    dropConn(s, conn, `link closed (${reason})`);
}

/** Forgets a connection and unregisters its device (calls torn down). */
export function dropConn(s: CmState, conn: Conn, why: string): void {
    if (!s.conns.delete(conn)) return;
    s.clock.clearTimer(conn.watchdog);
    conn.watchdog = null;
    const d = conn.device;
    if (d !== null && d.conn === conn) {
        const was = conn.registered;
        conn.registered = false;
        d.conn = null;
        for (const app of d.apps) for (const leg of [...app.legs]) deviceGone(s, leg);
        if (was) s.events.emit("unregistered", d.name, why);
    }
}

function onMessage(s: CmState, conn: Conn, msg: SccpMessage): void {
    s.stats.messagesIn++;
    conn.lastSeen = s.clock.now();
    const f = msg.fields;
    const w = conn.wire;
    switch (msg.id) {
        case Msg.KeepAliveReq:
            w.keepAliveAck();
            return;
        case Msg.RegisterReq:
            register(s, conn, msg);
            return;
        case Msg.UnregisterReq:
            w.unregisterAck();
            dropConn(s, conn, "unregistered");
            conn.session.close();
            return;
        case Msg.Alarm:
        case Msg.CapabilitiesRes:
        case Msg.RegisterAvailableLines:
        case Msg.HeadsetStatus:
        case Msg.OpenReceiveChannelAck:
            return;
        case Msg.IpPort:
            conn.rtpPort = num(f, "rtpMediaPort");
            return;
    }
    const d = conn.device;
    if (d === null || !conn.registered) return;
    switch (msg.id) {
        case Msg.ButtonTemplateReq: {
            const defs: [number, number][] = d.apps.map((a) => [a.line, Stimulus.Line]);
            const speedDials = d.config.speedDials?.length ?? 0;
            for (let i = 1; i <= speedDials; i++) defs.push([i, Stimulus.SpeedDial]);
            w.buttonTemplate(defs);
            return;
        }
        case Msg.SoftKeyTemplateReq:
            if (conn.gen !== "cm2") w.softKeyTemplate(d.template.map((k) => ({ label: k.wire, event: k.event })));
            return;
        case Msg.SoftKeySetReq:
            if (conn.gen === "cm2") return;
            w.softKeySets(buildSoftKeySets(d.callBackKey));
            w.selectSoftKeys(0, 0, SoftKeySet.OnHook);
            w.prompt(label(Label.YourCurrentOptions), 0, 0);
            return;
        case Msg.LineStatReq: {
            const line = num(f, "lineNumber");
            const app = d.apps[line - 1];
            if (app === undefined) w.lineStat(line, "", "", "");
            else w.lineStat(line, app.dn.dn, app.dn.name, app.dn.dn);
            return;
        }
        case Msg.ForwardStatReq: {
            if (conn.gen === "cm2") return;
            const line = num(f, "lineNumber");
            const app = d.apps[line - 1];
            w.forwardStat(line, app?.dn.forward ?? { all: "", busy: "", noAnswer: "" });
            return;
        }
        case Msg.SpeedDialStatReq: {
            const i = num(f, "speedDialNumber");
            const sd = d.config.speedDials?.[i - 1];
            w.speedDialStat(i, sd?.dn ?? "", sd?.name ?? "");
            return;
        }
        case Msg.ConfigStatReq:
            w.configStat(
                d.name,
                d.config.userName ?? "",
                s.opts.serverName,
                d.apps.length,
                d.config.speedDials?.length ?? 0,
            );
            return;
        case Msg.VersionReq:
            w.versionRes("P00308000500");
            return;
        case Msg.TimeDateReq:
            w.timeDate(localTime(s.clock.now(), d.timeZone));
            if (conn.gen !== "cm2") w.prompt(label(Label.YourCurrentOptions), 0, 0);
            return;
        case Msg.OffHook:
            offHook(s, d, num(f, "lineInstance"), num(f, "callReference"));
            return;
        case Msg.OnHook:
            onHook(s, d, num(f, "callReference"));
            return;
        case Msg.KeypadButton:
            keypad(s, d, num(f, "kpButton"), num(f, "callReference"));
            return;
        case Msg.EnblocCall:
            enbloc(s, d, typeof f.calledParty === "string" ? f.calledParty : "", num(f, "lineInstance"));
            return;
        case Msg.SoftKeyEvent:
            softKey(s, d, num(f, "softKeyEvent"), num(f, "lineInstance"), num(f, "callReference"));
            return;
        case Msg.Stimulus:
            pressStimulus(s, d, num(f, "stimulus"), num(f, "lineInstance"), num(f, "callReference"));
            return;
    }
}

function register(s: CmState, conn: Conn, msg: SccpMessage): void {
    const f = msg.fields;
    const name = typeof f.deviceName === "string" ? f.deviceName : "";
    let d = s.devices.get(name);
    if (d === undefined && s.opts.autoRegister && name !== "") {
        addDevice(s, { deviceName: name, lines: [] });
        d = s.devices.get(name);
    }
    if (d === undefined) {
        s.stats.rejects++;
        conn.wire.registerReject(`Error: ${name} not configured`);
        conn.session.close();
        dropConn(s, conn, "rejected");
        return;
    }
    const old = d.conn;
    if (old !== null && old !== conn) {
        dropConn(s, old, "registered elsewhere");
        old.session.abort();
    }
    const phoneVer = typeof f.protocolVer === "number" ? f.protocolVer : 0;
    const features = typeof f.phoneFeatures === "number" ? f.phoneFeatures : 0;
    let gen: SimGeneration = "cm4";
    if (s.opts.generation === "cm2") gen = "cm2";
    else if (phoneVer >= 17 && (features & 0x0080) !== 0) gen = "v20";
    conn.gen = gen;
    conn.wire = new CmWire(conn.session, gen);
    conn.session.hv = conn.wire.hv;
    conn.device = d;
    conn.registered = true;
    if (typeof f.stationIpAddr === "string" && f.stationIpAddr !== "0.0.0.0") conn.ip = f.stationIpAddr;
    d.conn = conn;
    s.stats.registrations++;
    // CM 4.1 answers maxProtocolVer 6 to a protocol-7 phone; a V20 cluster answers 20.
    conn.wire.registerAck(
        s.opts.keepAliveInterval,
        d.dateTemplate,
        s.opts.secondaryKeepAliveInterval,
        gen === "v20" ? 20 : Math.min(phoneVer, 6),
    );
    conn.wire.capabilitiesReq();
    s.events.emit("registered", d.name);
}
