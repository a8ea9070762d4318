/**
 * What a phone sends, as field records for the codec, in the layout of the link's generation.
 */

import type { SccpFields } from "../../sccp/index.js";
import { Msg } from "../ids.js";
import type { SccpSession } from "../session.js";
import type { SimGeneration } from "../types.js";

/** Messages a phone sends. */
export class PhoneWire {
    /** Generation of the link; `hv` follows it once registered. */
    gen: SimGeneration;

    constructor(
        readonly s: SccpSession,
        gen: SimGeneration,
    ) {
        this.gen = gen;
    }

    #send(id: number, fields: SccpFields): void {
        this.s.send(id, fields);
    }

    /** Alarm (the 7912 sends its identity before registering). */
    alarm(text: string): void {
        this.#send(Msg.Alarm, { alarmSeverity: 2, text, parm1: 0, parm2: 0 });
    }

    /** RegisterReq: 52 bytes (static phones) or 124 (V20 phones, with MAC and load). */
    registerReq(r: {
        deviceName: string;
        ip: string;
        deviceType: number;
        protocolVer: number;
        dynamic: boolean;
        mac: string;
        firmware: string;
        lines: number;
    }): void {
        const base = {
            deviceName: r.deviceName,
            "reserved.for.future.use": 0,
            instance: 1,
            stationIpAddr: r.ip,
            deviceType: r.deviceType,
            maxStreams: 5,
            activeStreams: 0,
            protocolVer: r.protocolVer,
            unknown: 0,
            // AbbrevDial, plus DynamicMessages and UTF8 on V20 phones.
            phoneFeatures: r.dynamic ? 0x8090 : 0x8100,
            maxConferences: 0,
        };
        if (!r.dynamic) {
            this.s.send(Msg.RegisterReq, base, 0);
            return;
        }
        this.s.send(
            Msg.RegisterReq,
            {
                ...base,
                activeConferences: 0,
                macAddress: `${r.mac.toLowerCase()}`.padEnd(24, "0").slice(0, 24),
                ipV4AddressScope: 0,
                maxNumberOfLines: r.lines,
                stationIpV6Addr: "::",
                ipV6AddressScope: 0,
                firmwareLoadName: r.firmware,
            },
            0,
        );
    }

    /** IpPort. */
    ipPort(port: number): void {
        this.#send(Msg.IpPort, { rtpMediaPort: port });
    }

    /** CapabilitiesRes with G.711 mu/A-law and G.729. */
    capabilities(): void {
        const cap = (payloadCapability: number) => ({
            payloadCapability,
            maxFramesPerPacket: 60,
            codecMode: 0,
            dynamicPayload: 0,
            codecParam1: 0,
            codecParam2: 0,
            codecExtra: "00000000",
        });
        this.#send(Msg.CapabilitiesRes, { capCount: 4, caps: [cap(4), cap(2), cap(11), cap(12)] });
    }

    /** A message without body. */
    empty(id: number): void {
        this.#send(id, {});
    }

    /** LineStatReq. */
    lineStatReq(n: number): void {
        this.#send(Msg.LineStatReq, { lineNumber: n });
    }

    /** ForwardStatReq. */
    forwardStatReq(n: number): void {
        this.#send(Msg.ForwardStatReq, { lineNumber: n });
    }

    /** SpeedDialStatReq. */
    speedDialStatReq(n: number): void {
        this.#send(Msg.SpeedDialStatReq, { speedDialNumber: n });
    }

    /** RegisterAvailableLines. */
    availableLines(n: number): void {
        this.#send(Msg.RegisterAvailableLines, { maxNumOfAvailLines: n });
    }

    /** OffHook (with line and call reference on V20). */
    offHook(line: number, ref: number): void {
        if (this.gen === "v20") this.#send(Msg.OffHook, { lineInstance: line, callReference: ref });
        else this.#send(Msg.OffHook, {});
    }

    /** OnHook (with line and call reference on V20). */
    onHook(line: number, ref: number): void {
        if (this.gen === "v20") this.#send(Msg.OnHook, { lineInstance: line, callReference: ref });
        else this.#send(Msg.OnHook, {});
    }

    /** KeypadButton. */
    keypad(button: number, line: number, ref: number): void {
        if (this.gen === "cm2") this.#send(Msg.KeypadButton, { kpButton: button });
        else this.#send(Msg.KeypadButton, { kpButton: button, lineInstance: line, callReference: ref });
    }

    /** EnblocCall. */
    enbloc(number: string, line: number): void {
        if (this.gen === "cm2") this.#send(Msg.EnblocCall, { calledParty: number });
        else this.#send(Msg.EnblocCall, { calledParty: number, lineInstance: line });
    }

    /** SoftKeyEvent. */
    softKeyEvent(event: number, line: number, ref: number): void {
        this.#send(Msg.SoftKeyEvent, { softKeyEvent: event, lineInstance: line, callReference: ref });
    }

    /** Stimulus (feature button). */
    stimulus(stimulus: number, instance: number, ref: number): void {
        if (this.gen === "cm2") this.#send(Msg.Stimulus, { stimulus, lineInstance: instance });
        else
            this.#send(Msg.Stimulus, {
                stimulus,
                lineInstance: instance,
                callReference: ref,
                stimulusStatus: 0,
            });
    }

    /** OpenReceiveChannelAck with the phone's RTP address. */
    openReceiveChannelAck(ip: string, port: number, passThroughPartyId: number, ref: number): void {
        if (this.gen === "v20")
            this.#send(Msg.OpenReceiveChannelAck, {
                mediaReceptionStatus: 0,
                ipv4or6: 0,
                "ipAddr.ipv4": ip,
                portNumber: port,
                passThroughPartyId,
                callReference: ref,
            });
        else
            this.#send(Msg.OpenReceiveChannelAck, {
                mediaReceptionStatus: 0,
                "ipAddr.ipv4": ip,
                portNumber: port,
                passThroughPartyId,
            });
    }

    /** UnregisterReq. */
    unregister(): void {
        this.#send(Msg.UnregisterReq, {});
    }
}
