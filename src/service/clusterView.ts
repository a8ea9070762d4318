import type { ClusterView, DnStateView, EngineDeviceView, OutgoingCallView } from "../callback/ports.js";
import type { ClusterModel } from "../cluster/model.js";
import type { DeviceView } from "../cluster/types.js";
import type { PhoneTime } from "../phone/phoneTime.js";
import { callBackTargetOf, takesXsiPush } from "../sccp/tables/deviceRoles.js";

/** SCCP call states in which a call occupies the phone (not idle). */
const ON_HOOK = 2;

/**
 * The engine's read-only port over the cluster model. Times: the model speaks capture seconds, the engine
 * milliseconds of the same clock. `nowMs` is read when a device's clock is asked for: the wall clock (what
 * a phone shows), which live may differ from the engine's step-free clock after an NTP step.
 */
export class ModelClusterView implements ClusterView {
    readonly #model: ClusterModel;
    readonly #nowMs: () => number;
    /** The deployment relies on CTI for line state (callees outside the mirror port). */
    readonly #requireCti: boolean;

    constructor(model: ClusterModel, nowMs: () => number, requireCti = false) {
        this.#model = model;
        this.#nowMs = nowMs;
        this.#requireCti = requireCti;
    }

    dnKnown(dn: string): boolean {
        return this.#model.isKnownDn(dn);
    }

    dnObservable(dn: string): boolean {
        return this.#model.isObservableDn(dn);
    }

    forwardAll(dn: string): string | null {
        return this.#model.dn(dn).forwarding?.all ?? null;
    }

    dnState(dn: string): DnStateView {
        // The engine follows the number's changes itself (LineStateChanged); "since" is not known here.
        return { state: this.#model.dnState(dn), sinceMs: null };
    }

    device(key: string): EngineDeviceView | null {
        const d = this.#model.device(key);
        return d === null ? null : this.#engineView(d);
    }

    devicesOfDn(dn: string): readonly string[] {
        return this.#model.dn(dn).devices.map((d) => d.device);
    }

    outgoingCalls(key: string): readonly OutgoingCallView[] {
        const d = this.#model.device(key);
        if (d === null) return [];
        const out: OutgoingCallView[] = [];
        for (const line of d.lines) {
            for (const c of line.calls) {
                if (c.direction !== "outbound" || c.state === ON_HOOK) continue;
                out.push({ dn: c.calledParty ?? c.dialed, connected: c.connectedAt !== null && c.endedAt === null });
            }
        }
        return out;
    }

    cmLinkObserved(): boolean {
        return this.#model.callManagers().some((cm) => cm.primary > 0 || cm.standby > 0);
    }

    ctiRequired(): boolean {
        return this.#requireCti;
    }

    ctiUp(): boolean {
        return this.#model.ctiStatus().status === "up";
    }

    #engineView(d: DeviceView): EngineDeviceView {
        const idle = d.lines.every((l) => l.calls.every((c) => c.state === ON_HOOK || c.endedAt !== null));
        const pt = this.#model.phoneTime(d.key, this.#nowMs() / 1000);
        const phoneTime: PhoneTime | null =
            pt === null && d.dateTemplate === null
                ? null
                : {
                      epochMs: this.#nowMs(),
                      utcOffsetMinutes: Math.round((pt?.utcOffsetS ?? 0) / 60),
                      ...(d.dateTemplate !== null ? { dateTemplate: d.dateTemplate } : {}),
                  };
        return {
            key: d.key,
            name: d.name,
            ip: d.ip ?? d.static.find((s) => s.pushAddress !== undefined)?.pushAddress ?? null,
            model: d.model,
            registered: d.registration === "registered",
            idle,
            supportsCallBackSoftkey: d.supportsCallBackSoftkey,
            // The seed's list ends with "SCCP Phone": every station may be called back, no media resource or gateway.
            callBackTarget: callBackTargetOf(d.deviceType),
            xsiPush: takesXsiPush(d.deviceType),
            phoneTime,
            locale: d.static.find((s) => s.locale !== undefined)?.locale ?? null,
        };
    }
}
