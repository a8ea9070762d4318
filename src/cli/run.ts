import { LiveCapture } from "../capture/liveCapture.js";
import { readCaptureFile } from "../capture/pcapFile.js";
import { captureFilter, qbePorts } from "../config/load.js";
import type { Config } from "../config/types.js";
import { ConfigError, describeError } from "../errors.js";
import { configureLogging, getLogger } from "../logging/logger.js";
import { ProtocolDispatcher } from "../protocol/dispatcher.js";
import type { ProtocolRecord } from "../protocol/records.js";
import { type CtiEvent, CtiLinkObserver } from "../qbe/link.js";
import { WirePipeline } from "../wire/pipeline.js";
import type { CliIo } from "./main.js";
import { protocolRoutes } from "./routes.js";

/** How often the service logs its counters. */
const STATS_INTERVAL_MS = 60_000;

/**
 * The service: capture → wire → protocol, running until SIGINT/SIGTERM (live) or the end of the file.
 * Later issues hang the cluster model, the Call Back engine and the adapters off the protocol records.
 */
export async function runService(config: Config, _io: CliIo, signal?: AbortSignal): Promise<number> {
    configureLogging({ level: config.log.level, modules: config.log.modules, pretty: config.log.pretty });
    const log = getLogger("service");
    const records = new Map<string, number>();
    const onRecord = (r: ProtocolRecord): void => {
        const key = `${r.proto}.${r.name}`;
        records.set(key, (records.get(key) ?? 0) + 1);
    };
    const ports = [...config.capture.sccpPorts, ...qbePorts(config)];
    // CTI link health (the seed's "Service not available" when CTIManager is not there); the cluster
    // model takes these events over in issue E.
    const ctiLog = getLogger("cti");
    const cti = new CtiLinkObserver(
        (e: CtiEvent) => {
            if (e.type === "LinkDown" || e.type === "ProviderOpenFailed") ctiLog.warn({ event: e }, `CTI ${e.type}`);
            else if (e.type === "LinkUp" || e.type === "ProviderClosed" || e.type === "ProviderOpening")
                ctiLog.info({ event: e }, `CTI ${e.type}`);
            else ctiLog.debug({ event: e }, `CTI ${e.type}`);
        },
        { heartbeatIntervalS: config.cti.heartbeatIntervalS, providerOpenTimeoutMs: config.cti.providerOpenTimeoutMs },
    );
    const dispatcher = new ProtocolDispatcher(
        protocolRoutes(config.capture.sccpPorts, qbePorts(config), { qbe: { observer: cti } }),
        onRecord,
    );
    const pipeline = new WirePipeline(dispatcher, { ...config.reassembly, serverPorts: ports });
    const counters = () => ({
        wire: pipeline.counters,
        reassembly: pipeline.reassembler.stats,
        records: Object.fromEntries(records),
    });

    if (config.capture.interface !== null) {
        const capLog = getLogger("capture");
        const filter = captureFilter(config);
        const capture = new LiveCapture(
            {
                interface: config.capture.interface,
                filter,
                snapLength: config.capture.snapLength,
                bufferSizeBytes: config.capture.bufferSizeBytes,
                promiscuous: config.capture.promiscuous,
                retryMs: config.service.connectionRetryTimeoutMs,
            },
            pipeline.onFrame,
            {
                onState: (state, error) => {
                    if (state === "retrying") {
                        capLog.warn(
                            {
                                interface: config.capture.interface,
                                error,
                                retryMs: config.service.connectionRetryTimeoutMs,
                            },
                            "capture not running; retrying",
                        );
                    } else capLog.info({ interface: config.capture.interface, state, filter }, `capture ${state}`);
                },
            },
        );
        log.info({ interface: config.capture.interface, filter }, "callbackd starting (live capture)");
        capture.start();
        const tick = setInterval(() => {
            pipeline.tick(Date.now() / 1000);
            cti.tick(Date.now());
        }, 1000);
        const stats = setInterval(
            () => log.info({ capture: capture.stats(), ...counters() }, "counters"),
            STATS_INTERVAL_MS,
        );
        await new Promise<void>((resolve) => {
            const stop = (): void => resolve();
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
            signal?.addEventListener("abort", stop, { once: true });
        });
        clearInterval(tick);
        clearInterval(stats);
        capture.stop();
        pipeline.finish();
        log.info({ capture: capture.stats(), ...counters() }, "callbackd stopped");
        return 0;
    }

    if (config.capture.file !== null) {
        log.info({ file: config.capture.file }, "callbackd starting (replaying a capture file)");
        try {
            const capture = await readCaptureFile(config.capture.file, pipeline.onFrame, signal ? { signal } : {});
            pipeline.finish();
            cti.tick(pipeline.lastTs * 1000);
            log.info({ capture, ...counters() }, "capture file replayed");
            return 0;
        } catch (err) {
            log.error({ error: describeError(err) }, "capture file could not be read");
            throw err;
        }
    }

    throw new ConfigError(
        "CONFIG_NO_SOURCE",
        "no capture source: set capture.interface (live) or capture.file (replay), e.g. CALLBACKD_CAPTURE_INTERFACE=eth0",
    );
}
