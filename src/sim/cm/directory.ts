/**
 * Provisioning: devices, their line appearances and the directory numbers they share (a number on several
 * devices is a shared line), with the number prefixes digit analysis needs.
 */
import type { ForwardData } from "../dialect.js";
import { SimError } from "../errors.js";
import { buildSoftKeyTemplate } from "../softkeys.js";
import type { Appearance, CmState, Device, DnRecord } from "./state.js";
import type { SimDeviceConfig, SimLineConfig } from "./types.js";

/** Provisions a device (before or after start). */
export function addDevice(s: CmState, config: SimDeviceConfig): void {
    if (s.devices.has(config.deviceName)) {
        throw new SimError("SIM_DUPLICATE_DEVICE", `device ${config.deviceName} is already provisioned`);
    }
    const callBackKey = config.callBackKey !== false;
    const device: Device = {
        config,
        name: config.deviceName,
        apps: [],
        conn: null,
        callBackKey,
        timeZone: config.timeZone ?? "UTC",
        dateTemplate: config.dateTemplate ?? "M/D/Y",
        template: buildSoftKeyTemplate(s.opts.callBackEvent),
        lastDialed: "",
    };
    config.lines.forEach((l, i) => {
        const lc: SimLineConfig = typeof l === "string" ? { dn: l } : l;
        let rec = s.dns.get(lc.dn);
        if (rec === undefined) {
            rec = {
                dn: lc.dn,
                name: lc.name ?? `Line ${lc.dn}`,
                forward: {
                    all: lc.forward?.all ?? "",
                    busy: lc.forward?.busy ?? "",
                    noAnswer: lc.forward?.noAnswer ?? "",
                },
                busyTrigger: lc.busyTrigger ?? 1,
                apps: [],
            };
            s.dns.set(lc.dn, rec);
            for (let k = 1; k < lc.dn.length; k++) s.prefixes.add(lc.dn.slice(0, k));
        } else {
            if (lc.name !== undefined) rec.name = lc.name;
            if (lc.busyTrigger !== undefined) rec.busyTrigger = lc.busyTrigger;
            if (lc.forward !== undefined) Object.assign(rec.forward, lc.forward);
        }
        const app: Appearance = { device, line: i + 1, dn: rec, legs: [] };
        rec.apps.push(app);
        device.apps.push(app);
    });
    s.devices.set(config.deviceName, device);
}

/** The record of a number; throws for a number no line has. */
export function dnRecord(s: CmState, dn: string): DnRecord {
    const rec = s.dns.get(dn);
    if (rec === undefined) throw new SimError("SIM_UNKNOWN_DN", `no line has directory number ${dn}`, { dn });
    return rec;
}

/** Changes the forwarding of a number and tells every registered appearance (ForwardStatRes); within a step. */
export function setForward(s: CmState, dn: string, forward: Partial<ForwardData>): void {
    const rec = dnRecord(s, dn);
    Object.assign(rec.forward, forward);
    for (const app of rec.apps) {
        const c = app.device.conn;
        if (c?.registered === true && c.gen !== "cm2") c.wire.forwardStat(app.line, rec.forward);
    }
}
