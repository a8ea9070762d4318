/**
 * The alarm catalogue (the seed's SDI alarms, reborn): every alarm the box can raise, with its X.733
 * perceived severity, the syslog/journald level it maps to, what it means and what to do about it, and its
 * default hold-down timers. Published on the retained `meta` topic so a head-end can show the texts.
 */

/** ITU-T X.733 perceived severity of an active alarm, most severe first. */
export const SEVERITIES = ["critical", "major", "minor", "warning"] as const;

/** One of SEVERITIES. */
export type Severity = (typeof SEVERITIES)[number];

/** syslog (RFC 5424) / journald priority for each severity: crit(2), err(3), warning(4), notice(5). */
export const SYSLOG_LEVEL: Readonly<Record<Severity, number>> = { critical: 2, major: 3, minor: 4, warning: 5 };

/** Raise/clear timing of an alarm (hold-down, as Prometheus `for` and `keep_firing_for`). */
export interface AlarmPolicy {
    /** The condition must hold this long before the alarm is raised (0: at once). */
    raiseDelayMs: number;
    /** The condition must be gone this long before the alarm is cleared (0: at once). */
    clearDelayMs: number;
    /** Suppress raise/clear events while the condition flaps (21-sample weighted state change). */
    flapDetection: boolean;
    /** An event without state (e.g. a role change): one event, never in the active table. */
    stateless: boolean;
}

/** One catalogue entry. */
export interface AlarmDefinition extends AlarmPolicy {
    /** Stable id `<area>.<problem>`; never changes once released. */
    readonly id: string;
    readonly severity: Severity;
    /** X.733 event type. */
    readonly eventType: "communications" | "qualityOfService" | "processingError" | "equipment" | "environmental";
    /** What the alarm means. */
    readonly description: string;
    /** What an operator should do. */
    readonly action: string;
}

const S = 1000;

/** Builds an entry with the common defaults. */
function def(
    id: string,
    severity: Severity,
    eventType: AlarmDefinition["eventType"],
    timing: [raiseDelayMs: number, clearDelayMs: number],
    description: string,
    action: string,
    extra: Partial<AlarmPolicy> = {},
): AlarmDefinition {
    return {
        id,
        severity,
        eventType,
        raiseDelayMs: timing[0],
        clearDelayMs: timing[1],
        flapDetection: true,
        stateless: false,
        description,
        action,
        ...extra,
    };
}

/** The catalogue, in display order. */
export const ALARM_CATALOGUE = [
    def(
        "capture.down",
        "critical",
        "equipment",
        [5 * S, 10 * S],
        "No packets can be captured: the mirror interface is down or could not be opened.",
        "Check the mirror-port cable and the switch SPAN session, the interface name (capture.interface) and that the service may capture (CAP_NET_RAW).",
    ),
    def(
        "capture.dropping",
        "major",
        "qualityOfService",
        [10 * S, 60 * S],
        "Packets are being dropped by the kernel or the capture pipeline; registrations and calls may be missed.",
        "Mirror less traffic (only the voice VLAN), raise capture.bufferSizeBytes, and check CPU load.",
    ),
    def(
        "capture.reassembly-pressure",
        "minor",
        "qualityOfService",
        [0, 60 * S],
        "Hostile or broken traffic on the mirror port: connections evicted at the connection cap, out-of-order data dropped at the memory cap, or garbage on the SCCP/QBE ports.",
        "Look for a scan or flood on the voice VLAN (details say which counter moved); mirror only the CallManager ports; raise reassembly.maxConnections or memoryCapBytes only if the box has the memory.",
    ),
    def(
        "cucm.link-not-observed",
        "major",
        "communications",
        [30 * S, 60 * S],
        "No SCCP traffic between phones and this CallManager is seen on the mirror port.",
        "Check that the SPAN session mirrors the CallManager's port, and that capture.sccpPorts matches the cluster.",
    ),
    def(
        "cluster.phones-unlearned",
        "minor",
        "processingError",
        [0, 60 * S],
        "Phones with traffic on the mirror port lack what Call Back needs: the softkey template that names the CallBack key, or their line numbers (the box was installed or lost its state after they registered). Their CallBack presses are not recognised, or their numbers not known.",
        "Reset these phones from CallManager (Device > Phone > Reset), or wait for their next registration; `show phones` on the console and `callbackd doctor` list what each lacks.",
    ),
    def(
        "cti.link-down",
        "major",
        "communications",
        [10 * S, 30 * S],
        "The CTI (QBE) link to CTIManager is down or not seen; Call Back cannot follow line state.",
        "Check the CTIManager service on the CallManager and the CTI port (cti.port); see cti.provider-open-failed.",
    ),
    def(
        "cti.provider-open-failed",
        "major",
        "communications",
        [0, 30 * S],
        "CTIManager refused or did not answer the provider open request.",
        "Check the application user and its CTI permissions on the CallManager, and cti.providerOpenTimeoutMs.",
    ),
    def(
        "phone.push-credentials",
        "minor",
        "communications",
        [0, 60 * S],
        "A phone refused a pushed notification (HTTP 401): the push credentials are wrong.",
        "Check the phone's authentication URL and the push user's credentials in the CallManager.",
    ),
    def(
        "phone.push-not-configured",
        "major",
        "processingError",
        [0, 0],
        "A phone had to be pushed a screen or a notification, but no push user is configured: nothing was sent.",
        "Set phones.pushUser and phones.pushPassword (a CallManager user associated with the phones); set-parameter applies them at once.",
        { flapDetection: false },
    ),
    def(
        "phone.push-unreachable",
        "minor",
        "communications",
        [0, 60 * S],
        "A phone could not be reached to push a notification (timeout or connection refused).",
        "Check that the phone's web access is enabled and that the box can reach it on TCP 80.",
    ),
    def(
        "flash.not-writable",
        "critical",
        "equipment",
        [0, 0],
        "State cannot be written to flash: pending callbacks would be lost on a power failure.",
        "Check the data partition (mounted read-write, not full, not overlaid in RAM) and the flash device's health.",
    ),
    def(
        "flash.corrupt-slot",
        "warning",
        "equipment",
        [0, 0],
        "A state snapshot slot failed its checksum and was set aside; the previous snapshot was used.",
        "Usually the trace of a power cut; if it recurs, check the flash device. The bad file is kept as *.corrupt-*.",
    ),
    def(
        "flash.write-rate",
        "warning",
        "equipment",
        [0, 0],
        "State changes arrive faster than the flash write-rate ceiling; durability is delayed.",
        "Look for a registration storm or a loop; raise the ceiling only if the flash endurance allows it.",
    ),
    def(
        "mqtt.broker-lost",
        "major",
        "communications",
        [10 * S, 0],
        "The MQTT broker was unreachable (raised locally, published when the broker is back).",
        "Check the broker and the network path; events raised meanwhile are delivered from the outbox.",
        { flapDetection: false },
    ),
    def(
        "mqtt.outbox-overflow",
        "warning",
        "processingError",
        [0, 0],
        "The alarm outbox on flash was full: the oldest undelivered alarm events were dropped.",
        "Restore the broker connection; the active alarm table still shows the current alarms.",
        { flapDetection: false },
    ),
    def(
        "redundancy.role-change",
        "warning",
        "processingError",
        [0, 0],
        "This box changed redundancy role (active/standby).",
        "Check why the peer took over or gave up (its status and alarms).",
        { stateless: true, flapDetection: false },
    ),
    def(
        "redundancy.split-brain",
        "major",
        "processingError",
        [0, 0],
        "Two boxes of the site announced themselves active at once; the one later in the ordering steps down.",
        "Check that every box reaches the same broker and has a distinct redundancy.address or priority.",
        { flapDetection: false },
    ),
    def(
        "config.rejected",
        "minor",
        "processingError",
        [0, 0],
        "A desired configuration was rejected; the running configuration is unchanged.",
        "Read the errors in config/reported, fix the desired configuration and publish it with a higher version.",
        { flapDetection: false },
    ),
    def(
        "service.failure",
        "critical",
        "processingError",
        [0, 0],
        "A service component failed (unexpected error, crash or restart loop).",
        "Read the service log (journalctl -u callbackd); restart the service if it does not recover.",
        { flapDetection: false },
    ),
    def(
        "callback.capacity",
        "major",
        "qualityOfService",
        [0, 60 * S],
        "New Call Back requests are refused: the configured maximum of active requests is reached.",
        "Check for requests that never end (show callbacks); raise callback.maxRequests if the branch really needs more.",
    ),
] as const satisfies readonly AlarmDefinition[];

/** Id of a catalogue alarm. */
export type AlarmId = (typeof ALARM_CATALOGUE)[number]["id"];

const BY_ID = new Map<string, AlarmDefinition>(ALARM_CATALOGUE.map((d) => [d.id, d]));

/** The definition of an alarm id, or undefined. */
export function alarmDefinition(id: string): AlarmDefinition | undefined {
    return BY_ID.get(id);
}
