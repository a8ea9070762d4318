import { mkdirSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname, networkInterfaces } from "node:os";
import { engineOptionsFromConfig } from "../callback/options.js";
import { captureDownAlarm } from "../capture/captureAlarm.js";
import { EarlyCapture } from "../capture/earlyCapture.js";
import { captureFilter, loadConfig } from "../config/load.js";
import { type SavedConfig, stateDirectory } from "../config/saved.js";
import type { Config } from "../config/types.js";
import { ConsoleHub, consoleOptionsFromSection, startConsoles } from "../console/index.js";
import { ConfigError, describeError } from "../errors.js";
import { configureLogging, getLogger } from "../logging/logger.js";
import { mqttOptionsFromSection } from "../mgmt/config.js";
import { ConfigControl } from "../mgmt/configControl.js";
import type { MqttManagement } from "../mgmt/mqttManagement.js";
import type { RedundancyManager } from "../redundancy/manager.js";
import { CallbackService } from "../service/callbackService.js";
import { serviceApi } from "../service/serviceApi.js";
import { NodeFlashFs } from "../store/flashFs.js";
import { EXIT_RESTART } from "../system/exitStatus.js";
import { SystemdNotifier } from "../system/sdNotify.js";
import { liveCaptureOptions } from "./captureOptions.js";
import type { CliIo } from "./io.js";
import { replayFrames } from "./replay.js";

/** How often the service logs its counters. */
const STATS_INTERVAL_MS = 60_000;

/**
 * The service: capture → wire → protocol → cluster model → Call Back engine → phones, running until
 * SIGINT/SIGTERM (live capture) or the end of the file (replay). Start order: state restored, phone-facing
 * HTTP service up, then capture; READY=1 to systemd once capture runs.
 */
export async function runService(
    config: Config,
    io: CliIo,
    signal?: AbortSignal,
    /** The state directory's configuration files (saved running configuration, applied desired one). */
    saved?: SavedConfig,
    /** The live capture, already started by the caller (see EarlyCapture); else it starts after the service. */
    early?: EarlyCapture,
): Promise<number> {
    configureLogging({ level: config.log.level, modules: config.log.modules, pretty: config.log.pretty });
    const log = getLogger("service");
    if (config.capture.interface === null && config.capture.file === null) {
        throw new ConfigError(
            "CONFIG_NO_SOURCE",
            "no capture source: set capture.interface (live) or capture.file (replay), e.g. CALLBACKD_CAPTURE_INTERFACE=eth0",
        );
    }
    const dir = stateDirectory(config, io.env);
    try {
        mkdirSync(dir, { recursive: true, mode: 0o750 });
    } catch (err) {
        log.error({ dir, error: describeError(err) }, "state directory cannot be created");
    }
    const live = config.capture.interface !== null;
    const flash = new NodeFlashFs(dir);
    // An operator's restart (MQTT restart, console reload) stops the service in order, then exits with
    // EXIT_RESTART so systemd starts it again (a plain exit 0 would leave the box down).
    const stopping = new AbortController();
    let restartRequested = false;
    const requestRestart = (why: string): void => {
        if (stopping.signal.aborted) return;
        log.warn({ why }, "restart requested: stopping, systemd starts the service again");
        restartRequested = true;
        stopping.abort();
    };
    const exitStatus = (): number => (restartRequested ? EXIT_RESTART : 0);
    let mgmt: MqttManagement | null = null;
    const hub = new ConsoleHub();
    const alarm = (id: string, action: "raise" | "clear", details: string): void => {
        hub.onAlarm(id, action, details);
        if (mgmt === null) return;
        try {
            if (action === "raise") mgmt.alarms.raise(id, { text: details });
            else mgmt.alarms.clear(id);
        } catch (err) {
            log.warn({ alarm: id, error: describeError(err) }, "alarm not published");
        }
    };
    const redundant = config.redundancy.enabled;
    if (redundant && config.mqtt.url === null) {
        throw new ConfigError("CONFIG_REDUNDANCY_NO_BROKER", "redundancy.enabled needs a broker: set mqtt.url");
    }
    const service = new CallbackService({
        config,
        fs: flash,
        timeMode: live ? "live" : "capture",
        onEvent: hub.onEvent,
        onAlarm: alarm,
        // a redundant box acts only once the election makes it active
        ...(redundant ? { initialRole: "standby" as const } : {}),
    });
    const notifier = new SystemdNotifier({
        env: io.env,
        onUnavailable: (why) => log.warn({ why }, "systemd notifications unavailable"),
    });
    // One configuration control for MQTT and the console: set, save (write memory), desired documents.
    const control = configControl(config, service, saved);
    for (const w of saved?.warnings ?? []) {
        log.error({ dir }, w);
        alarm("flash.not-writable", "raise", w);
    }
    // The broker's PEM files are read before anything listens: a bad one fails the start, not a half-started
    // service that would keep the process alive.
    const mqttOptions = config.mqtt.url !== null ? mqttOptionsFromSection(config.mqtt) : null;
    const { restored } = await service.start();
    let redundancy: RedundancyManager | null = null;
    try {
        redundancy = redundant ? await startRedundancy(config, service, alarm, mqttOptions) : null;
        if (mqttOptions !== null) {
            mgmt = await startManagement(mqttOptions, flash, service, redundancy, control, () =>
                requestRestart("MQTT restart"),
            );
        }
    } catch (err) {
        await redundancy?.stop();
        await service.stop();
        throw err;
    }
    if (mgmt !== null) {
        // A replay is short: report it only once the broker is there (a live box does not wait for it).
        if (!live) {
            await mgmt.waitConnected(config.service.connectionRetryTimeoutMs).catch(() => {
                log.warn({ broker: config.mqtt.url }, "MQTT broker not reachable; replaying without it");
            });
        }
    }
    const counters = () => ({
        wire: service.pipeline.counters,
        reassembly: service.pipeline.reassembler.stats,
        cluster: service.model.stats(),
        requests: service.state.requests.length,
        pushes: service.counters,
        store: service.writer.stats,
    });

    if (live) {
        const capLog = getLogger("capture");
        const filter = captureFilter(config);
        const downAlarm = captureDownAlarm(config.capture.interface as string, alarm);
        log.info({ interface: config.capture.interface, filter, stateDir: dir }, "callbackd starting (live capture)");
        // Listening for the stop before READY: a SIGTERM right after it (the diagnostic console still starting)
        // stops the service in order instead of killing it.
        const stopRequested = new Promise<void>((done) => {
            const stop = (): void => {
                process.off("SIGINT", stop);
                process.off("SIGTERM", stop);
                done();
            };
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
            signal?.addEventListener("abort", stop, { once: true });
            stopping.signal.addEventListener("abort", stop, { once: true });
        });
        const source = early ?? new EarlyCapture(liveCaptureOptions(config)!);
        const capture = source.capture;
        source.attach(service.onFrame, (state, error) => {
            downAlarm(state, error);
            if (state === "retrying") {
                capLog.warn(
                    {
                        interface: config.capture.interface,
                        error,
                        retryMs: config.service.connectionRetryTimeoutMs,
                    },
                    "capture not running; retrying",
                );
                notifier.status(`capture down on ${config.capture.interface}: ${error?.message ?? "retrying"}`);
            } else capLog.info({ interface: config.capture.interface, state, filter }, `capture ${state}`);
            if (state === "open") {
                notifier.ready(`capturing on ${config.capture.interface}; ${restored} call-backs restored`);
            }
        });
        if (source.dropped > 0) capLog.warn({ frames: source.dropped }, "frames captured during the start not kept");
        source.start();
        // The diagnostic console: serial port and loopback TCP (one command tree). A console that cannot
        // start (port taken, no serial device yet) must not take the service down.
        const consoles = await startConsoles(service, {
            ...consoleOptionsFromSection(config.console),
            hub,
            providers: {
                version: packageVersion(),
                hostname: hostname(),
                configControl: control,
                ...(mgmt !== null ? { alarms: mgmt.alarms, mqtt: mgmt } : {}),
                ...(redundancy !== null ? { redundancy: () => redundancy.status() } : {}),
                capture: () => {
                    const st = capture.stats();
                    return {
                        interface: st.interface,
                        filter,
                        packets: st.received,
                        drops: st.dropped,
                        ifDrops: st.ifDropped,
                    };
                },
                reload: () => requestRestart("console reload"),
            },
        }).catch((err: unknown) => {
            log.error({ error: describeError(err) }, "diagnostic console not started");
            return null;
        });
        const tick = setInterval(() => service.tick(), 1000);
        const stats = setInterval(
            () => log.info({ capture: capture.stats(), ...counters() }, "counters"),
            STATS_INTERVAL_MS,
        );
        // The watchdog is fed only while the capture runs (or retries as configured) and the loop turns.
        notifier.startWatchdog(() => capture.stats().state !== "stopped");
        await stopRequested;
        notifier.stopping(restartRequested ? "restarting on request" : "shutting down");
        clearInterval(tick);
        clearInterval(stats);
        capture.stop();
        await consoles?.close();
        service.pipeline.finish();
        await redundancy?.stop();
        await service.stop();
        await mgmt?.stop();
        notifier.close();
        log.info({ capture: capture.stats(), ...counters(), restart: restartRequested }, "callbackd stopped");
        return exitStatus();
    }

    log.info({ file: config.capture.file, stateDir: dir }, "callbackd starting (replaying a capture file)");
    try {
        // Frames as fast as possible, but yielding as capture time moves on, so snapshot writes and push
        // answers land at about the capture time they belong to (as in `replay`).
        const both = signal === undefined ? stopping.signal : AbortSignal.any([signal, stopping.signal]);
        const capture = await replayFrames(config.capture.file as string, null, service.onFrame, both, {
            settled: () => service.durableWritesDone(),
        });
        service.pipeline.finish();
        service.tick();
        log.info({ capture, ...counters() }, "capture file replayed");
        return exitStatus();
    } catch (err) {
        log.error({ error: describeError(err) }, "capture file could not be read");
        throw err;
    } finally {
        await redundancy?.stop();
        await service.stop();
        await mgmt?.drained(5000);
        await mgmt?.stop();
        notifier.close();
    }
}

/**
 * Joins the site's redundancy group: the service stays a standby until the election makes it active. The
 * manager (and the mqtt client) is loaded only by a box configured for redundancy.
 */
async function startRedundancy(
    config: Config,
    service: CallbackService,
    alarm: (id: string, action: "raise" | "clear", details: string) => void,
    mqtt: ReturnType<typeof mqttOptionsFromSection> | null,
): Promise<RedundancyManager> {
    const { RedundancyManager } = await import("../redundancy/manager.js");
    const r = config.redundancy;
    const address = redundancyAddress(r.address, config.http.publicUrl, service.http.baseUrl);
    const mgr = new RedundancyManager({
        site: config.mqtt.site,
        node: config.mqtt.node,
        address,
        priority: r.priority,
        heartbeatMs: r.heartbeatMs,
        staleAfterMs: r.staleAfterMs,
        settleMs: r.settleMs,
        url: service.http.baseUrl,
        broker: (mqtt ?? mqttOptionsFromSection(config.mqtt)).broker,
        service,
        onAlarm: alarm,
    });
    service.attachReplication(mgr);
    mgr.start();
    getLogger("redundancy").info({ node: config.mqtt.node, address, priority: r.priority }, "redundancy group joined");
    return mgr;
}

/** This box's address in the ordering: configured, else the host phones reach it at, else the first non-internal IPv4. */
export function redundancyAddress(configured: string, publicUrl: string | null, boundUrl: string): string {
    if (configured !== "") {
        if (isIP(configured) === 0) {
            throw new ConfigError(
                "CONFIG_REDUNDANCY_ADDRESS",
                `redundancy.address is not an IP address: ${configured}`,
            );
        }
        return configured;
    }
    for (const url of [publicUrl, boundUrl]) {
        if (url === null) continue;
        const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
        if (isIP(host) !== 0 && host !== "0.0.0.0" && host !== "::") return host;
    }
    for (const list of Object.values(networkInterfaces())) {
        for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
    }
    throw new ConfigError(
        "CONFIG_REDUNDANCY_ADDRESS",
        "no address for the redundancy ordering: set redundancy.address",
    );
}

/** Accepted configuration changes of the running service, kept in the state directory when there is one. */
function configControl(config: Config, service: CallbackService, saved: SavedConfig | undefined): ConfigControl {
    let base = config;
    if (saved !== undefined) {
        try {
            base = loadConfig(saved.loadOptions({ desired: null }));
        } catch {
            // the start configuration without its desired document does not validate: lay documents over it all
        }
    }
    return new ConfigControl({
        boot: config,
        base,
        applied: saved?.desired() ?? null,
        ...(saved !== undefined ? { store: saved } : {}),
        readOnly: () => config.mqtt.readOnly,
        // Live keys take effect now (log levels, Call Back rules, push settings); the rest is reported
        // pending until a start with the saved (or desired) configuration.
        apply: (next) => {
            configureLogging({ level: next.log.level, modules: next.log.modules, pretty: next.log.pretty });
            service.engine.configure(engineOptionsFromConfig(next));
            service.configurePush(next.phones);
        },
    });
}

/** The MQTT management plane on the running service: alarms, telemetry, commands, desired configuration. */
async function startManagement(
    o: ReturnType<typeof mqttOptionsFromSection>,
    flash: NodeFlashFs,
    service: CallbackService,
    redundancy: RedundancyManager | null,
    control: ConfigControl,
    restart: () => void,
): Promise<MqttManagement> {
    // loaded only by a box with a broker: a start without one does not carry the mqtt client
    const { MqttManagement } = await import("../mgmt/mqttManagement.js");
    const mgmt = new MqttManagement({
        site: o.site,
        node: o.node,
        broker: o.broker,
        flash,
        version: packageVersion(),
        readOnly: o.readOnly,
        encoding: o.encoding,
        config: { control },
        telemetry: {
            intervalMs: o.telemetryIntervalMs,
            provider: () => ({
                packets: service.pipeline.counters.frames,
                decodeErrors: service.pipeline.counters.malformed,
                registeredPhones: service.model.allDevices().filter((d) => d.registration === "registered").length,
                activeRequests: service.state.requests.length,
                notificationsSent: service.counters.notifications,
                flashWrites: service.writer.stats.writes,
            }),
        },
        service: serviceApi(service, redundancy !== null ? { redundancy: () => redundancy.status() } : {}),
        restart,
    });
    await mgmt.start();
    return mgmt;
}

function packageVersion(): string {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
}
