/**
 * What the CallManager sends to one phone, as field records for the codec, in the layout of the link's
 * generation (static CM 4.x, dynamic V20, or CallManager 2.x short bodies).
 */
import type { SccpFields } from "../../sccp/index.js";
import { Msg } from "../ids.js";
import type { SccpSession } from "../session.js";
import type { SimGeneration } from "../types.js";
import { type CallInfoData, type ForwardData, headerVersionOf, type MediaData } from "./fields.js";
import type { LocalTime } from "./localTime.js";

const G711U = 4;

/** Messages the CallManager sends to one phone. */
export class CmWire {
    readonly hv: number;

    constructor(
        readonly s: SccpSession,
        readonly gen: SimGeneration,
    ) {
        this.hv = headerVersionOf(gen);
    }

    #send(id: number, fields: SccpFields, hv = this.hv): void {
        this.s.send(id, fields, hv);
    }

    /** RegisterAck (hv 0, like CSB and CUCM) with the keepalive intervals and the date template. */
    registerAck(keepAlive: number, dateTemplate: string, secondary: number, maxProtocolVer: number): void {
        if (this.gen === "cm2") {
            this.#send(Msg.RegisterAck, { keepAliveInterval: keepAlive, dateTemplate, alignmentPadding: 0 }, 0);
            return;
        }
        this.#send(
            Msg.RegisterAck,
            {
                keepAliveInterval: keepAlive,
                dateTemplate,
                alignmentPadding: 0,
                secondaryKeepAliveInterval: secondary,
                maxProtocolVer,
                unknown: 0,
                phoneFeatures: 0xfe00,
            },
            0,
        );
    }

    /** RegisterReject with its text. */
    registerReject(text: string): void {
        this.#send(Msg.RegisterReject, { text }, 0);
    }

    /** KeepAliveAck (hv 0). */
    keepAliveAck(): void {
        this.#send(Msg.KeepAliveAck, {}, 0);
    }

    /** UnregisterAck, status Ok. */
    unregisterAck(): void {
        this.#send(Msg.UnregisterAck, { status: 0 }, 0);
    }

    /** CapabilitiesReq. */
    capabilitiesReq(): void {
        this.#send(Msg.CapabilitiesReq, {});
    }

    /** CallState (never on CallManager 2.x). */
    callState(state: number, line: number, ref: number): void {
        if (this.gen === "cm2") return; // CallManager 2.x never sends CallState
        this.#send(Msg.CallState, {
            callState: state,
            lineInstance: line,
            callReference: ref,
            privacy: 0,
            precedenceLevel: 4,
            precedenceDomain: 0,
        });
    }

    /** StartTone (tone only on CallManager 2.x). */
    startTone(tone: number, line: number, ref: number): void {
        if (this.gen === "cm2") this.#send(Msg.StartTone, { tone });
        else
            this.#send(Msg.StartTone, {
                tone,
                "tone.output.direction": 0,
                lineInstance: line,
                callReference: ref,
            });
    }

    /** StopTone (empty on 2.x, with tone 0 from V11). */
    stopTone(line: number, ref: number): void {
        if (this.gen === "cm2") this.#send(Msg.StopTone, {});
        else if (this.gen === "v20") this.#send(Msg.StopTone, { lineInstance: line, callReference: ref, tone: 0 });
        else this.#send(Msg.StopTone, { lineInstance: line, callReference: ref });
    }

    /** SetRinger. */
    setRinger(mode: number, line: number, ref: number): void {
        if (this.gen === "cm2") this.#send(Msg.SetRinger, { ringMode: mode });
        else this.#send(Msg.SetRinger, { ringMode: mode, ringDuration: 1, lineInstance: line, callReference: ref });
    }

    /** SetLamp. */
    setLamp(stimulus: number, instance: number, mode: number): void {
        this.#send(Msg.SetLamp, { stimulus, stimulusInstance: instance, lampMode: mode });
    }

    /** SetSpeakerMode on or off. */
    speaker(on: boolean): void {
        this.#send(Msg.SetSpeakerMode, { speakerMode: on ? 1 : 2 });
    }

    /** SelectSoftKeys (none on CallManager 2.x). */
    selectSoftKeys(line: number, ref: number, set: number, mask = 0xffffffff): void {
        if (this.gen === "cm2") return;
        this.#send(Msg.SelectSoftKeys, {
            lineInstance: line,
            callReference: ref,
            softKeySetIndex: set,
            validKeyMask: mask >>> 0,
        });
    }

    /** The status line (wire text: labels as 0x80 n). */
    prompt(text: string, line: number, ref: number, timeout = 0): void {
        if (this.gen === "cm2") this.#send(Msg.DisplayText, { text });
        else if (this.gen === "v20")
            this.#send(Msg.DisplayPromptStatusV2, {
                timeOutValue: timeout,
                lineInstance: line,
                callReference: ref,
                promptStatus: text,
            });
        else
            this.#send(Msg.DisplayPromptStatus, {
                timeOutValue: timeout,
                promptStatus: text,
                lineInstance: line,
                callReference: ref,
            });
    }

    /** ClearPromptStatus (ClearDisplay on 2.x). */
    clearPrompt(line: number, ref: number): void {
        if (this.gen === "cm2") this.#send(Msg.ClearDisplay, {});
        else this.#send(Msg.ClearPromptStatus, { lineInstance: line, callReference: ref });
    }

    /** DisplayPriNotify / V2. */
    priNotify(timeout: number, priority: number, text: string): void {
        if (this.gen === "cm2") return;
        if (this.gen === "v20") this.#send(Msg.DisplayPriNotifyV2, { timeOutValue: timeout, priority, notify: text });
        else this.#send(Msg.DisplayPriNotify, { timeOutValue: timeout, priority, notify: text });
    }

    /** DisplayNotify / V2. */
    notify(timeout: number, text: string): void {
        if (this.gen === "v20") this.#send(Msg.DisplayNotifyV2, { timeOutValue: timeout, notify: text });
        else this.#send(Msg.DisplayNotify, { timeOutValue: timeout, notify: text });
    }

    /** ActivateCallPlane. */
    activateCallPlane(line: number): void {
        if (this.gen === "cm2") return;
        this.#send(Msg.ActivateCallPlane, { lineInstance: line });
    }

    /** DialedNumber. */
    dialedNumber(digits: string, line: number, ref: number): void {
        if (this.gen === "cm2") return;
        this.#send(Msg.DialedNumber, { dialedNumber: digits, lineInstance: line, callReference: ref });
    }

    /** CallInfo (128 bytes on 2.x, 384 static) or CallInfoV2 (V20). */
    callInfo(c: CallInfoData): void {
        if (this.gen === "cm2") {
            this.#send(Msg.CallInfo, {
                callingPartyName: c.callingPartyName,
                callingParty: c.callingParty,
                calledPartyName: c.calledPartyName,
                calledParty: c.calledParty,
            });
            return;
        }
        if (this.gen === "v20") {
            this.#send(Msg.CallInfoV2, {
                lineInstance: c.lineInstance,
                callReference: c.callReference,
                callType: c.callType,
                originalCdpnRedirectReason: c.originalCdpnRedirectReason,
                lastRedirectingReason: c.lastRedirectingReason,
                callInstance: c.callInstance,
                callSecurityStatus: c.callSecurityStatus,
                partyPIRestrictionBits: 0,
                callingParty: c.callingParty,
                AlternateCallingParty: c.callType === 1 ? c.callingParty : "",
                calledParty: c.calledParty,
                originalCalledParty: c.originalCalledParty,
                lastRedirectingParty: c.lastRedirectingParty,
                cgpnVoiceMailbox: "",
                cdpnVoiceMailbox: "",
                originalCdpnVoiceMailbox: "",
                lastRedirectingVoiceMailbox: "",
                callingPartyName: c.callingPartyName,
                calledPartyName: c.calledPartyName,
                originalCalledPartyName: c.originalCalledPartyName,
                lastRedirectingPartyName: c.lastRedirectingPartyName,
                HuntPilotNumber: "",
                HuntPilotName: "",
            });
            return;
        }
        this.#send(Msg.CallInfo, {
            callingPartyName: c.callingPartyName,
            callingParty: c.callingParty,
            calledPartyName: c.calledPartyName,
            calledParty: c.calledParty,
            lineInstance: c.lineInstance,
            callReference: c.callReference,
            callType: c.callType,
            originalCalledPartyName: c.originalCalledPartyName,
            originalCalledParty: c.originalCalledParty,
            lastRedirectingPartyName: c.lastRedirectingPartyName,
            lastRedirectingParty: c.lastRedirectingParty,
            originalCdpnRedirectReason: c.originalCdpnRedirectReason,
            lastRedirectingReason: c.lastRedirectingReason,
            cgpnVoiceMailbox: "",
            cdpnVoiceMailbox: "",
            originalCdpnVoiceMailbox: "",
            lastRedirectingVoiceMailbox: "",
            callInstance: c.callInstance,
            callSecurityStatus: c.callSecurityStatus,
            partyPIRestrictionBits: 0,
        });
    }

    /** ButtonTemplateRes from [instance, definition] pairs. */
    buttonTemplate(defs: readonly (readonly [number, number])[]): void {
        this.#send(Msg.ButtonTemplateRes, {
            buttonOffset: 0,
            buttonCount: defs.length,
            totalButtonCount: defs.length,
            definition: defs.map(([instanceNumber, buttonDefinition]) => ({ instanceNumber, buttonDefinition })),
        });
    }

    /** SoftKeyTemplateRes. */
    softKeyTemplate(keys: readonly { label: string; event: number }[]): void {
        this.#send(Msg.SoftKeyTemplateRes, {
            softKeyOffset: 0,
            softKeyCount: keys.length,
            totalSoftKeyCount: keys.length,
            definition: keys.map((k) => ({ softKeyLabel: k.label, softKeyEvent: k.event })),
        });
    }

    /** SoftKeySetRes. */
    softKeySets(sets: readonly { template: readonly number[]; info: readonly number[] }[]): void {
        this.#send(Msg.SoftKeySetRes, {
            softKeySetOffset: 0,
            softKeySetCount: sets.length,
            totalSoftKeySetCount: sets.length,
            definition: sets.map((s) => ({
                softKeyTemplateIndex: pad16(s.template),
                softKeyInfoIndex: pad16(s.info),
            })),
        });
    }

    /** LineStatRes (28 bytes on 2.x) or LineStatV2Res (V20). */
    lineStat(line: number, dn: string, fqdn: string, text: string): void {
        if (this.gen === "cm2") this.#send(Msg.LineStatRes, { lineNumber: line, lineDirNumber: dn });
        else if (this.gen === "v20")
            this.#send(Msg.LineStatV2Res, {
                lineNumber: line,
                lineType: 0x0f,
                lineDirNumber: dn,
                lineFullyQualifiedDisplayName: fqdn,
                lineTextLabel: text,
            });
        else
            this.#send(Msg.LineStatRes, {
                lineNumber: line,
                lineDirNumber: dn,
                lineFullyQualifiedDisplayName: fqdn,
                lineTextLabel: text,
                lineDisplayOptions: 9,
            });
    }

    /** ForwardStatRes (25-byte numbers from V18, chosen by the codec). */
    forwardStat(line: number, f: ForwardData): void {
        const any = f.all !== "" || f.busy !== "" || f.noAnswer !== "";
        this.#send(Msg.ForwardStatRes, {
            activeForward: any ? 1 : 0,
            lineNumber: line,
            forwardAllActive: f.all !== "" ? 1 : 0,
            forwardAllNumber: f.all,
            forwardBusyActive: f.busy !== "" ? 1 : 0,
            forwardBusyNumber: f.busy,
            forwardNoAnswerActive: f.noAnswer !== "" ? 1 : 0,
            forwardNoAnswerNumber: f.noAnswer,
        });
    }

    /** SpeedDialStatRes. */
    speedDialStat(n: number, dn: string, name: string): void {
        this.#send(Msg.SpeedDialStatRes, { speedDialNumber: n, speedDialDirNumber: dn, speedDialDisplayName: name });
    }

    /** ConfigStatRes. */
    configStat(deviceName: string, userName: string, serverName: string, lines: number, speedDials: number): void {
        this.#send(Msg.ConfigStatRes, {
            deviceName,
            "reserved.for.future.use": 0,
            instance: 1,
            userName,
            serverName,
            numberOfLines: lines,
            numberOfSpeedDials: speedDials,
        });
    }

    /** VersionRes. */
    versionRes(version: string): void {
        this.#send(Msg.VersionRes, { versionStr: version });
    }

    /** DefineTimeDate (TimeDateRes): local fields of the phone's time zone plus the UTC epoch seconds. */
    timeDate(t: LocalTime): void {
        this.#send(Msg.TimeDateRes, {
            wYear: t.year,
            wMonth: t.month,
            wDayOfWeek: t.dayOfWeek,
            wDay: t.day,
            wHour: t.hour,
            wMinute: t.minute,
            wSecond: t.second,
            wMilliseconds: t.millisecond,
            systemTime: t.systemTime,
        });
    }

    /** OpenReceiveChannel (the V20 form carries the known prefix only). */
    openReceiveChannel(m: MediaData): void {
        if (this.gen === "cm2") return;
        if (this.gen === "v20") {
            this.#send(Msg.OpenReceiveChannel, {
                conferenceId: m.conferenceId,
                passThroughPartyId: m.passThroughPartyId,
                milliSecondPacketSize: 20,
                compressionType: G711U,
                ecValue: 0,
                codecMode: 0,
                dynamicPayload: 0,
                codecParam1: 0,
                codecParam2: 0,
                callReference: m.callReference,
            });
            return;
        }
        this.#send(Msg.OpenReceiveChannel, {
            conferenceId: m.conferenceId,
            passThroughPartyId: m.passThroughPartyId,
            milliSecondPacketSize: 20,
            compressionType: G711U,
            ecValue: 0,
            g723BitRate: 0,
            callReference: m.callReference,
            algorithmID: 0,
            keylen: 0,
            saltlen: 0,
            key: "00000000000000000000000000000000",
            salt: "00000000000000000000000000000000",
        });
    }

    /** StartMediaTransmission towards the other party. */
    startMedia(m: MediaData): void {
        if (this.gen === "cm2") return;
        if (this.gen === "v20") {
            this.#send(Msg.StartMediaTransmission, {
                conferenceId: m.conferenceId,
                passThroughPartyId: m.passThroughPartyId,
                ipv4or6: 0,
                "remoteIpAddr.ipv4": m.remoteIp,
                remotePortNumber: m.remotePort,
                milliSecondPacketSize: 20,
                compressionType: G711U,
                precedenceValue: 184,
                ssValue: 0,
                maxFramesPerPacket: 0,
                padding: 0,
            });
            return;
        }
        this.#send(Msg.StartMediaTransmission, {
            conferenceId: m.conferenceId,
            passThroughPartyId: m.passThroughPartyId,
            "remoteIpAddr.ipv4": m.remoteIp,
            remotePortNumber: m.remotePort,
            milliSecondPacketSize: 20,
            compressionType: G711U,
            precedenceValue: 184,
            ssValue: 0,
            maxFramesPerPacket: 0,
            padding: 0,
            g723BitRate: 0,
            callReference: m.callReference,
            algorithmID: 0,
            keylen: 0,
            saltlen: 0,
            key: "00000000000000000000000000000000",
            salt: "00000000000000000000000000000000",
        });
    }

    /** CloseReceiveChannel and StopMediaTransmission. */
    closeMedia(m: MediaData): void {
        if (this.gen === "cm2") return;
        const f = {
            conferenceId: m.conferenceId,
            passThroughPartyId: m.passThroughPartyId,
            callReference: m.callReference,
        };
        this.#send(Msg.CloseReceiveChannel, f);
        this.#send(Msg.StopMediaTransmission, f);
    }
}

function pad16(a: readonly number[]): number[] {
    const out = new Array<number>(16).fill(0);
    for (let i = 0; i < 16 && i < a.length; i++) out[i] = a[i] as number;
    return out;
}
