import type { EngineState } from "../callback/types.js";
import type { ClusterModel } from "../cluster/model.js";
import type { DeviceView } from "../cluster/types.js";
import { CallbackdError } from "../errors.js";
import type { ServiceApi } from "../mgmt/commands.js";
import type { Role } from "../redundancy/election.js";
import type { RedundancyStatus } from "../redundancy/manager.js";
import type { SlotStore } from "../store/slots.js";
import type { SnapshotWriter } from "../store/snapshotWriter.js";

/** Pushes, notifications, presses from phones without XML services, screens withheld in observe mode. */
export interface ServiceCounters {
    pushOk: number;
    pushFailed: number;
    notifications: number;
    pressesIgnored: number;
    withheld: number;
}

/** What the management operations read and do on the running service (CallbackService satisfies it). */
export interface ServiceApiHost {
    readonly state: Readonly<EngineState>;
    readonly model: Pick<ClusterModel, "allDevices" | "device" | "stats" | "ctiStatus" | "knowledgeSummary">;
    readonly writer: Pick<SnapshotWriter, "flush">;
    readonly store: Pick<SlotStore, "generation">;
    readonly mode: "serve" | "observe";
    readonly role: Role;
    readonly counters: Readonly<ServiceCounters>;
    cancel(id: string, reason?: string): boolean;
}

/** Errors of the management operations (codes map to MQTT `bad_request`, console messages). */
export class ServiceApiError extends CallbackdError {}

/** The Call Back operations the management plane (MQTT, console) offers, on the running service. */
export function serviceApi(service: ServiceApiHost, extras: { redundancy?: () => RedundancyStatus } = {}): ServiceApi {
    return {
        async listCallbacks({ state, limit }) {
            const matching = service.state.requests.filter(
                (r) => state === undefined || r.phase === state || (state === "suspended" && r.suspended),
            );
            const list = matching.slice(0, limit).map((r) => ({
                id: r.id,
                caller: r.caller.name ?? r.caller.device,
                callerDn: r.caller.dn,
                calledDn: r.calledDn,
                trigger: r.trigger,
                phase: r.phase,
                suspended: r.suspended,
                // times as everywhere on MQTT: milliseconds since the epoch
                createdAt: r.createdAt,
                expiresAt: r.expiresAt,
            }));
            // total: how many match (the list stops at limit)
            return { total: matching.length, callbacks: list };
        },
        async cancelCallback(id) {
            if (service.role !== "active") {
                const active = extras.redundancy?.().active ?? null;
                throw new ServiceApiError(
                    "NOT_ACTIVE",
                    `this box is a standby: cancel on the active box${active !== null ? ` (${active})` : ""}`,
                    { active },
                );
            }
            if (!service.cancel(id, "management")) {
                throw new ServiceApiError("CALLBACK_NOT_FOUND", `no active call-back ${id}`, { id });
            }
            return { id, cancelled: true };
        },
        async showPhones({ filter, limit }) {
            const f = filter?.toLowerCase();
            const matching = service.model
                .allDevices()
                .filter(
                    (d) =>
                        f === undefined ||
                        (d.name ?? d.key).toLowerCase().includes(f) ||
                        d.lines.some((l) => l.dn?.includes(f)) ||
                        (d.userName ?? "").toLowerCase().includes(f),
                );
            const phones = matching.slice(0, limit).map((d) => ({
                name: d.name ?? d.key,
                ip: d.ip,
                model: d.model,
                registration: d.registration,
                dns: d.lines.map((l) => l.dn).filter((dn) => dn !== null),
                callBackKey: { onHook: d.softKeys.callBackInOnHook, ringOut: d.softKeys.callBackInRingOut },
                learned: d.knowledge.learnedBy,
                restored: d.knowledge.restored,
                missing: d.knowledge.missing,
            }));
            // total: the phones that match the filter (not all known ones); known: all of them
            return { total: matching.length, known: service.model.stats().devices, phones };
        },
        async showPhone(name) {
            const d = service.model.device(name);
            if (d === null) throw new ServiceApiError("PHONE_NOT_FOUND", `no phone ${name}`, { name });
            return phoneInMs(d);
        },
        async snapshotNow() {
            await service.writer.flush();
            return { generation: Number(service.store.generation) };
        },
        async status() {
            return {
                requests: service.state.requests.length,
                mode: service.mode,
                phones: service.model.stats().devices,
                pushes: service.counters,
                cti: service.model.ctiStatus().status,
                // how the phones were learned (kept across restarts), and how many lack what Call Back needs
                knowledge: service.model.knowledgeSummary(),
                role: service.role,
                ...(extras.redundancy !== undefined ? { redundancy: extras.redundancy() } : {}),
            };
        },
    };
}

const ms = (s: number): number => Math.round(s * 1000);
const msOrNull = (s: number | null): number | null => (s === null ? null : ms(s));

/** A phone as MQTT shows it: the model keeps capture time in seconds, MQTT has milliseconds everywhere. */
function phoneInMs(d: DeviceView): unknown {
    return {
        ...d,
        registeredAt: msOrNull(d.registeredAt),
        lastSeen: ms(d.lastSeen),
        links: d.links.map((l) => ({ ...l, since: ms(l.since), lastSeen: ms(l.lastSeen) })),
        lines: d.lines.map((l) => ({
            ...l,
            calls: l.calls.map((c) => ({
                ...c,
                startedAt: ms(c.startedAt),
                stateSince: ms(c.stateSince),
                connectedAt: msOrNull(c.connectedAt),
                endedAt: msOrNull(c.endedAt),
            })),
        })),
        phoneTime: d.phoneTime === null ? null : { ...d.phoneTime, setAt: ms(d.phoneTime.setAt) },
    };
}
