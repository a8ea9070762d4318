/**
 * An in-memory ClusterView for the engine's tests (a test helper: nothing in src/ uses it, so it is not
 * shipped in dist/). Phones, numbers, calls and link conditions are set directly; the helpers that change line or registration
 * state also return the ClusterEvent the cluster model would emit, so a test drives view and engine together.
 */

import type { ClusterView, DnStateView, EngineDeviceView, OutgoingCallView } from "../../src/callback/ports.js";
import type { CallBackTrigger, ClusterEvent, DnState, ForwardingView } from "../../src/cluster/types.js";
import type { PhoneTime } from "../../src/phone/phoneTime.js";

/** A phone of the fake cluster. */
export interface FakePhone {
    key: string;
    name: string | null;
    ip: string | null;
    model: string | null;
    registered: boolean;
    /** Overrides the idle state derived from its numbers (null: derived). */
    idleOverride: boolean | null;
    supportsCallBackSoftkey: boolean;
    callBackTarget: boolean | null;
    /** Takes XSI pushes (null: unknown). */
    xsiPush: boolean | null;
    /** Phone local time minus UTC (minutes) and date template; null offset: clock never seen. */
    utcOffsetMinutes: number | null;
    dateTemplate: string | null;
    locale: string | null;
    dns: string[];
    calls: OutgoingCallView[];
}

/** A number of the fake cluster. */
interface FakeDn {
    state: DnState;
    sinceMs: number | null;
    forwardAll: string | null;
    known: boolean;
    /** The box can watch it (SCCP devices or CTI lines seen); false: known only from the static directory. */
    observable: boolean;
}

/** Options of `addPhone`. */
export type FakePhoneInit = Partial<Omit<FakePhone, "key" | "dns" | "calls">> & { dn?: string | string[] };

/** Models of the seed that have the CallBack softkey. */
const SOFTKEY_MODEL = /\b79(60|40|12|05)\b/;

/** The fake. Every query reads the current fields; nothing is cached. */
export class FakeClusterView implements ClusterView {
    readonly phones = new Map<string, FakePhone>();
    readonly numbers = new Map<string, FakeDn>();
    cmLink = true;
    ctiNeeded = false;
    ctiLinkUp = true;
    /** The box clock used for phone clocks (ms); tests set it with the engine's `now`. */
    now = 0;
    /** When set, every query throws it (to test the engine's fault path). */
    failWith: unknown = null;

    /** Adds a registered, idle phone with its numbers (default model: 7960). */
    addPhone(key: string, init: FakePhoneInit = {}): FakePhone {
        const dns = init.dn === undefined ? [] : Array.isArray(init.dn) ? init.dn : [init.dn];
        const model = init.model === undefined ? "Cisco IP Phone 7960" : init.model;
        const phone: FakePhone = {
            key,
            name: init.name ?? key,
            ip: init.ip === undefined ? `10.0.0.${this.phones.size + 10}` : init.ip,
            model,
            registered: init.registered ?? true,
            idleOverride: init.idleOverride ?? null,
            supportsCallBackSoftkey: init.supportsCallBackSoftkey ?? (model !== null && SOFTKEY_MODEL.test(model)),
            callBackTarget: init.callBackTarget === undefined ? true : init.callBackTarget,
            xsiPush: init.xsiPush === undefined ? true : init.xsiPush,
            utcOffsetMinutes: init.utcOffsetMinutes === undefined ? 60 : init.utcOffsetMinutes,
            dateTemplate: init.dateTemplate === undefined ? "D.M.Y" : init.dateTemplate,
            locale: init.locale ?? null,
            dns,
            calls: [],
        };
        this.phones.set(key, phone);
        for (const dn of dns) this.number(dn);
        return phone;
    }

    /** A number's record, created idle and known when missing. */
    number(dn: string): FakeDn {
        let n = this.numbers.get(dn);
        if (n === undefined) {
            n = { state: "idle", sinceMs: 0, forwardAll: null, known: true, observable: true };
            this.numbers.set(dn, n);
        }
        return n;
    }

    /** Sets a number's state at `now` and returns the LineStateChanged event (from = previous state). */
    lineState(dn: string, to: DnState, now: number): ClusterEvent {
        const n = this.number(dn);
        const from = n.state;
        if (from !== to) {
            n.state = to;
            n.sinceMs = now;
        }
        return { type: "LineStateChanged", t: now / 1000, dn, from, to, uncertain: to === "unknown" };
    }

    /** Sets Call Forward All of a number and returns the ForwardingChanged event. */
    forward(
        dn: string,
        target: string | null,
        now: number,
        device = this.devicesOfDn(dn)[0] ?? "SEP000000000000",
    ): ClusterEvent {
        const n = this.number(dn);
        const from: ForwardingView = { all: n.forwardAll, busy: null, noAnswer: null };
        n.forwardAll = target;
        return {
            type: "ForwardingChanged",
            t: now / 1000,
            device,
            name: device,
            line: 1,
            dn,
            from,
            to: { all: target, busy: null, noAnswer: null },
        };
    }

    /** Registers or unregisters a phone and returns the event. */
    register(key: string, registered: boolean, now: number): ClusterEvent {
        const p = this.phone(key);
        p.registered = registered;
        if (registered) {
            return {
                type: "DeviceRegistered",
                t: now / 1000,
                device: key,
                name: p.name,
                ip: p.ip,
                model: p.model,
                deviceType: null,
                cm: "10.0.0.1:2000",
                inferred: false,
            };
        }
        return { type: "DeviceUnregistered", t: now / 1000, device: key, name: p.name, ip: p.ip, reason: "unregister" };
    }

    /** CallBack pressed on `key` during a call (line 1 by default) to `calledDn` while hearing `trigger`. */
    press(key: string, calledDn: string | null, trigger: CallBackTrigger | null, now: number, line = 1): ClusterEvent {
        return this.pressEvent(key, line, calledDn, trigger, now);
    }

    /** CallBack pressed on the idle screen (On Hook softkey set). */
    idlePress(key: string, now: number): ClusterEvent {
        return this.pressEvent(key, null, null, null, now);
    }

    private pressEvent(
        key: string,
        line: number | null,
        calledDn: string | null,
        trigger: CallBackTrigger | null,
        now: number,
    ): ClusterEvent {
        const p = this.phone(key);
        const busy = trigger === "busy";
        return {
            type: "CallBackPressed",
            t: now / 1000,
            device: key,
            name: p.name,
            ip: p.ip,
            line,
            callerDn: p.dns[0] ?? null,
            callRef: line === null ? 0 : 1,
            callState: line === null ? null : busy ? 6 : 3,
            callStateName: line === null ? null : busy ? "Busy" : "RingOut",
            calledDn,
            tone: null,
            toneName: trigger,
            trigger,
            source: "softkey",
            softKeySet: line === null ? 0 : 8,
        };
    }

    /** Sets the live outgoing calls of a phone. */
    setCalls(key: string, calls: OutgoingCallView[]): void {
        this.phone(key).calls = calls;
    }

    phone(key: string): FakePhone {
        const p = this.phones.get(key);
        if (p === undefined) throw new Error(`fake view: no phone ${key}`);
        return p;
    }

    private check(): void {
        if (this.failWith !== null) throw this.failWith;
    }

    // --- ClusterView ---

    dnKnown(dn: string): boolean {
        this.check();
        return this.numbers.get(dn)?.known ?? false;
    }

    dnObservable(dn: string): boolean {
        this.check();
        const n = this.numbers.get(dn);
        return n?.known === true && n.observable;
    }

    forwardAll(dn: string): string | null {
        this.check();
        return this.numbers.get(dn)?.forwardAll ?? null;
    }

    dnState(dn: string): DnStateView {
        this.check();
        const n = this.numbers.get(dn);
        return n === undefined ? { state: "unknown", sinceMs: null } : { state: n.state, sinceMs: n.sinceMs };
    }

    device(deviceKey: string): EngineDeviceView | null {
        this.check();
        const p = this.phones.get(deviceKey);
        if (p === undefined) return null;
        const idle = p.idleOverride ?? p.dns.every((dn) => (this.numbers.get(dn)?.state ?? "idle") === "idle");
        const phoneTime: PhoneTime | null =
            p.utcOffsetMinutes === null
                ? null
                : { epochMs: this.now, utcOffsetMinutes: p.utcOffsetMinutes, dateTemplate: p.dateTemplate ?? "M/D/Y" };
        return {
            key: p.key,
            name: p.name,
            ip: p.ip,
            model: p.model,
            registered: p.registered,
            idle,
            supportsCallBackSoftkey: p.supportsCallBackSoftkey,
            callBackTarget: p.callBackTarget,
            xsiPush: p.xsiPush,
            phoneTime,
            locale: p.locale,
        };
    }

    devicesOfDn(dn: string): readonly string[] {
        this.check();
        const out: string[] = [];
        for (const p of this.phones.values()) if (p.dns.includes(dn)) out.push(p.key);
        return out;
    }

    outgoingCalls(deviceKey: string): readonly OutgoingCallView[] {
        this.check();
        return this.phones.get(deviceKey)?.calls ?? [];
    }

    cmLinkObserved(): boolean {
        this.check();
        return this.cmLink;
    }

    ctiRequired(): boolean {
        this.check();
        return this.ctiNeeded;
    }

    ctiUp(): boolean {
        this.check();
        return this.ctiLinkUp;
    }
}
