import { ClusterModel } from "../../src/cluster/model.js";
import type { ClusterEvent, ClusterModelOptions } from "../../src/cluster/types.js";
import type { StreamContext } from "../../src/protocol/dispatcher.js";
import { decodeSccpFrame, encodeSccp, type SccpFields, type SccpMessage } from "../../src/sccp/codec.js";
import { SCCP_MESSAGE_TABLE } from "../../src/sccp/tables/messages.js";
import { type CloseReason, TcpConnection } from "../../src/wire/reassembly.js";

const ID_BY_NAME = new Map<string, number>();
for (const [id, name] of SCCP_MESSAGE_TABLE) if (!ID_BY_NAME.has(name)) ID_BY_NAME.set(name, id);

/** Encodes then decodes, so the fields are exactly what the pipeline would hand the model. */
export function msg(name: string, fields: SccpFields = {}, hv = 0): SccpMessage {
    const id = ID_BY_NAME.get(name);
    if (id === undefined) throw new Error(`unknown message ${name}`);
    return decodeSccpFrame(encodeSccp({ hv, id, fields }));
}

let nextConnId = 1;

/** A phone's connection to a CallManager. */
export class Link {
    readonly ctx: StreamContext;
    constructor(
        readonly h: Harness,
        phoneIp: string,
        cm: string,
        midstream: boolean,
        port: number,
    ) {
        const conn = new TcpConnection(
            nextConnId++,
            4,
            { addr: phoneIp, port },
            { addr: cm, port: 2000 },
            0,
            midstream,
        );
        this.ctx = { conn, names: [`${phoneIp}:${port}`, `${cm}:2000`], emit: () => {} };
    }
    /** Phone → CallManager. */
    up(t: number, name: string, fields: SccpFields = {}, hv = 0): this {
        this.h.model.onSccpMessage(this.ctx, 0, msg(name, fields, hv), t);
        return this;
    }
    /** CallManager → phone. */
    down(t: number, name: string, fields: SccpFields = {}, hv = 0): this {
        this.h.model.onSccpMessage(this.ctx, 1, msg(name, fields, hv), t);
        return this;
    }
    gap(t: number, dir: 0 | 1 = 1): this {
        this.h.model.onSccpGap(this.ctx, dir, 100, t);
        return this;
    }
    close(t: number, reason: CloseReason = "fin"): this {
        this.h.model.onSccpClose(this.ctx, t, reason);
        return this;
    }
}

/** Template of CUCM 4.1 (from the 7912 capture) plus CallBack (label 0x41) as event 35. */
export const TEMPLATE = [
    ["\u0080\u0001", 1],
    ["\u0080\u0002", 2],
    ["\u0080\u0003", 3],
    ["\u0080\u0004", 4],
    ["\u0080\u0005", 5],
    ["\u0080\u0008", 8],
    ["\u0080\u0009", 9],
    ["\u0080\u000a", 10],
    ["\u0080\u000b", 11],
    ["\u0080A", 35],
] as const;

/** Sets: On Hook = Redial NewCall CfwdAll CallBack; Ring Out = EndCall CallBack; others minimal. */
export function softKeySets(withCallBack: boolean): SccpFields[] {
    const pad = (a: number[]) => [...a, ...new Array<number>(16 - a.length).fill(0)];
    const cb = withCallBack ? [10] : [];
    const sets: number[][] = [
        [1, 2, 5, ...cb], // 0 On Hook
        [3, 7, 4], // 1 Connected
        [8, 2], // 2 On Hold
        [9], // 3 Ring In
        [1, 7], // 4 Off Hook
        [7, 4], // 5 Conn Trans
        [6, 7], // 6 Digits
        [7], // 7 Conf
        [7, ...cb], // 8 Ring Out
    ];
    return sets.map((s) => ({ softKeyTemplateIndex: pad(s), softKeyInfoIndex: pad(s.map((x) => (x ? 300 + x : 0))) }));
}

export interface PhoneSpec {
    name: string;
    ip: string;
    dns: string[];
    deviceType?: number;
    cm?: string;
    callBack?: boolean;
    hv?: number;
}

/** Drives a ClusterModel with synthetic message sequences and records its events. */
export class Harness {
    readonly events: ClusterEvent[] = [];
    readonly model: ClusterModel;
    constructor(opts: ClusterModelOptions = {}) {
        this.model = new ClusterModel({ ...opts, onEvent: (e) => this.events.push(e) });
    }
    link(phoneIp: string, cm = "10.0.0.1", opts: { midstream?: boolean; port?: number } = {}): Link {
        return new Link(this, phoneIp, cm, opts.midstream ?? false, opts.port ?? 50000 + nextConnId);
    }
    /** A CM 4.x-style registration: Register, Ack, templates, lines, forwarding, time. */
    register(p: PhoneSpec, t: number, l?: Link): Link {
        const link = l ?? this.link(p.ip, p.cm);
        const hv = p.hv ?? 0;
        link.up(t, "RegisterReq", {
            deviceName: p.name,
            stationIpAddr: p.ip,
            deviceType: p.deviceType ?? 7,
            maxStreams: 0,
            activeStreams: 0,
            protocolVer: hv === 0 ? 6 : hv,
            phoneFeatures: 0,
            maxConferences: 0,
        });
        link.down(t, "RegisterAck", {
            keepAliveInterval: 30,
            dateTemplate: "D.M.Y",
            secondaryKeepAliveInterval: 60,
            maxProtocolVer: hv === 0 ? 6 : hv,
            phoneFeatures: 0,
        });
        link.down(
            t,
            "ButtonTemplateRes",
            {
                buttonOffset: 0,
                buttonCount: p.dns.length,
                totalButtonCount: p.dns.length,
                definition: p.dns.map((_, i) => ({ instanceNumber: i + 1, buttonDefinition: 9 })),
            },
            hv,
        );
        link.down(
            t,
            "SoftKeyTemplateRes",
            {
                softKeyOffset: 0,
                softKeyCount: TEMPLATE.length,
                totalSoftKeyCount: TEMPLATE.length,
                definition: TEMPLATE.map(([codes, ev]) => ({ softKeyLabel: codes, softKeyEvent: ev })),
            },
            hv,
        );
        link.down(
            t,
            "SoftKeySetRes",
            {
                softKeySetOffset: 0,
                softKeySetCount: 9,
                totalSoftKeySetCount: 9,
                definition: softKeySets(p.callBack ?? true),
            },
            hv,
        );
        p.dns.forEach((dn, i) => {
            if (hv >= 17) {
                link.down(
                    t,
                    "LineStatV2Res",
                    {
                        lineNumber: i + 1,
                        lineType: 15,
                        lineDirNumber: dn,
                        lineFullyQualifiedDisplayName: `User ${dn}`,
                        lineTextLabel: dn,
                    },
                    hv,
                );
            } else {
                link.down(t, "LineStatRes", {
                    lineNumber: i + 1,
                    lineDirNumber: dn,
                    lineFullyQualifiedDisplayName: `User ${dn}`,
                    lineTextLabel: dn,
                    lineDisplayOptions: 9,
                });
            }
        });
        link.down(
            t,
            "TimeDateRes",
            {
                wYear: 2026,
                wMonth: 6,
                wDayOfWeek: 3,
                wDay: 3,
                wHour: 14,
                wMinute: 5,
                wSecond: 0,
                wMilliseconds: 0,
                systemTime: Date.UTC(2026, 5, 3, 12, 5, 0) / 1000,
            },
            hv,
        );
        link.down(
            t,
            "SelectSoftKeys",
            { lineInstance: 0, callReference: 0, softKeySetIndex: 0, validKeyMask: 0xffffffff },
            hv,
        );
        return link;
    }
    types(): string[] {
        return this.events.map((e) => e.type);
    }
    of<T extends ClusterEvent["type"]>(type: T): Extract<ClusterEvent, { type: T }>[] {
        return this.events.filter((e) => e.type === type) as Extract<ClusterEvent, { type: T }>[];
    }
    /** LineStateChanged as "dn:from>to". */
    lineChanges(): string[] {
        return this.of("LineStateChanged").map((e) => `${e.dn}:${e.from}>${e.to}`);
    }
    clear(): void {
        this.events.length = 0;
    }
}

/** CallState + CallInfo for one leg (CUCM style). */
export function callState(l: Link, t: number, state: number, line: number, ref: number, hv = 0): void {
    l.down(
        t,
        "CallState",
        {
            callState: state,
            lineInstance: line,
            callReference: ref,
            privacy: 0,
            precedenceLevel: 4,
            precedenceDomain: 0,
        },
        hv,
    );
}

export function callInfo(
    l: Link,
    t: number,
    line: number,
    ref: number,
    type: number,
    calling: string,
    called: string,
    extra: SccpFields = {},
): void {
    l.down(t, "CallInfo", {
        callingPartyName: `Name ${calling}`,
        callingParty: calling,
        calledPartyName: `Name ${called}`,
        calledParty: called,
        lineInstance: line,
        callReference: ref,
        callType: type,
        originalCalledParty: called,
        ...extra,
    });
}

export function tone(l: Link, t: number, tone: number, line: number, ref: number): void {
    l.down(t, "StartTone", { tone, "tone.output.direction": 0, lineInstance: line, callReference: ref });
}

/** CUCM's outbound sequence up to Proceed on the caller. */
export function dial(l: Link, t: number, ref: number, digits: string, line = 1): void {
    callState(l, t, 1, line, ref);
    l.down(t, "SelectSoftKeys", {
        lineInstance: line,
        callReference: ref,
        softKeySetIndex: 4,
        validKeyMask: 0xffffffff,
    });
    tone(l, t, 0x21, line, ref);
    for (const d of digits) l.up(t, "KeypadButton", { kpButton: Number(d), lineInstance: line, callReference: ref });
    l.down(t, "StopTone", { lineInstance: line, callReference: ref });
    l.down(t, "DialedNumber", { dialedNumber: digits, lineInstance: line, callReference: ref });
    callState(l, t, 12, line, ref);
}

/** Inbound leg ringing. */
export function ringIn(l: Link, t: number, ref: number, from: string, to: string, line = 1): void {
    callState(l, t, 4, line, ref);
    l.down(t, "SelectSoftKeys", {
        lineInstance: line,
        callReference: ref,
        softKeySetIndex: 3,
        validKeyMask: 0xffffffff,
    });
    callInfo(l, t, line, ref, 1, from, to);
    l.down(t, "SetRinger", { ringMode: 2, ringDuration: 1, lineInstance: line, callReference: ref });
}

export function connect(l: Link, t: number, ref: number, line = 1): void {
    l.down(t, "StopTone", { lineInstance: line, callReference: ref });
    callState(l, t, 5, line, ref);
    l.down(t, "SelectSoftKeys", {
        lineInstance: line,
        callReference: ref,
        softKeySetIndex: 1,
        validKeyMask: 0xffffffff,
    });
}

export function hangUp(l: Link, t: number, ref: number, line = 1): void {
    callState(l, t, 2, line, ref);
    l.down(t, "SelectSoftKeys", { lineInstance: 0, callReference: 0, softKeySetIndex: 0, validKeyMask: 0xffffffff });
}
