import { CallbackdError } from "../errors.js";
import type { ServiceApi } from "../mgmt/commands.js";
import type { RedundancyStatus } from "../redundancy/manager.js";
import type { CallbackService } from "./callbackService.js";

/** Errors of the management operations (codes map to MQTT `bad_request`, console messages). */
export class ServiceApiError extends CallbackdError {}

/** The Call Back operations the management plane (MQTT, console) offers, on the running service. */
export function serviceApi(service: CallbackService, extras: { redundancy?: () => RedundancyStatus } = {}): ServiceApi {
    return {
        async listCallbacks({ state, limit }) {
            const list = service.state.requests
                .filter((r) => state === undefined || r.phase === state || (state === "suspended" && r.suspended))
                .slice(0, limit)
                .map((r) => ({
                    id: r.id,
                    caller: r.caller.name ?? r.caller.device,
                    callerDn: r.caller.dn,
                    calledDn: r.calledDn,
                    trigger: r.trigger,
                    phase: r.phase,
                    suspended: r.suspended,
                    createdAt: new Date(r.createdAt).toISOString(),
                    expiresAt: new Date(r.expiresAt).toISOString(),
                }));
            return { total: service.state.requests.length, requests: list };
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
            const phones = service.model
                .allDevices()
                .filter(
                    (d) =>
                        f === undefined ||
                        (d.name ?? d.key).toLowerCase().includes(f) ||
                        d.lines.some((l) => l.dn?.includes(f)) ||
                        (d.userName ?? "").toLowerCase().includes(f),
                )
                .slice(0, limit)
                .map((d) => ({
                    name: d.name ?? d.key,
                    ip: d.ip,
                    model: d.model,
                    registration: d.registration,
                    dns: d.lines.map((l) => l.dn).filter((dn) => dn !== null),
                    callBackKey: { onHook: d.softKeys.callBackInOnHook, ringOut: d.softKeys.callBackInRingOut },
                }));
            return { total: service.model.stats().devices, phones };
        },
        async showPhone(name) {
            const d = service.model.device(name);
            if (d === null) throw new ServiceApiError("PHONE_NOT_FOUND", `no phone ${name}`, { name });
            return d;
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
                role: service.role,
                ...(extras.redundancy !== undefined ? { redundancy: extras.redundancy() } : {}),
            };
        },
    };
}
