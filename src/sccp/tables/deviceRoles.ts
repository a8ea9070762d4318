/**
 * What a device type may do in Call Back, as data (codes as in `deviceTypes.ts`):
 * - as the called device: the seed's list ("You can call the following phones and can have Call Back
 *   activated on them") ends with "Cisco SCCP Phone" and "CTI route point", so every SCCP station may be
 *   called back; what may not is what is no phone at all (media resources, gateways, trunks, voice-mail and
 *   CTI ports, add-on modules);
 * - as a phone the box pushes to: only phones with the XML services (a web server taking `CGI/Execute`);
 *   the seed's called-only phones have none (no display, or no XML services), nor do gateways' ports.
 * An unknown type (registration not seen) is allowed and pushed to: the box knows no better.
 */
import { CALLBACK_MODELS, DEVICE_TYPES } from "./deviceTypes.js";

/** Device types that are no station: Call Back cannot be activated on them. */
export const NOT_CALLED_TYPES: ReadonlySet<number> = new Set([
    // gateways and their access ports
    30, 40, 41, 42, 43, 47, 48, 62, 120, 121, 132, 254,
    // conference bridges, MTPs, music on hold, annunciators, monitoring and recording
    50, 51, 52, 53, 70, 82, 83, 84, 85, 86, 87, 88, 110, 111, 112, 113, 126, 127, 128, 129,
    // trunks, H.225, RAS, route lists, pilots, remote destinations
    60, 90, 71, 122, 125, 131, 133, 134, 635,
    // voice mail and CTI ports (applications' lines), load simulators
    72, 80, 81, 100, 36219,
    // add-on modules and embedded bases (no line of their own)
    15, 124, 227, 228, 229, 230,
    // TelePresence infrastructure
    597, 599, 600, 36041,
]);

/** Device types without XML services: never pushed to. The seed's called-only phones, gateway ports, route points. */
export const NO_XSI_TYPES: ReadonlySet<number> = new Set([
    // Cisco IP Phone 30 SP+, 12 SP+, 12 SP, 12 S, 30 VIP (and the virtual 30 SP+)
    1, 2, 3, 4, 5, 20,
    // 7910 (no softkeys, no web server), 7935, 7902 (no display), 7936
    6, 9, 30008, 30019,
    // VGC phone (VG248 ports), ATA 186/188, analog and BRI ports of gateways
    10, 11, 12, 13, 30027, 30028, 30032,
    // CTI route point: no phone
    73,
]);

/** Whether Call Back may be activated on a device of this type as the called device (null: type unknown). */
export function callBackTargetOf(deviceType: number | null): boolean | null {
    if (deviceType === null) return null;
    return !NOT_CALLED_TYPES.has(deviceType);
}

/** Whether a device of this type takes XSI pushes (null: type unknown, pushed to as before). */
export function takesXsiPush(deviceType: number | null): boolean | null {
    if (deviceType === null) return null;
    return !NO_XSI_TYPES.has(deviceType) && !NOT_CALLED_TYPES.has(deviceType);
}

/** A short name of a device type for traces ("Cisco IP Phone 7910", "ConferenceBridge", "DeviceType999"). */
export function deviceTypeName(deviceType: number): string {
    for (const m of CALLBACK_MODELS) if (m.codes.includes(deviceType)) return m.model;
    return DEVICE_TYPES[deviceType] ?? `DeviceType${deviceType}`;
}
