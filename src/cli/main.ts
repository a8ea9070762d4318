import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CaptureFileStats } from "../capture/pcapFile.js";
import { loadConfig, qbePorts } from "../config/load.js";
import { parametersJson, renderParameters } from "../config/parameters.js";
import { SavedConfig } from "../config/saved.js";
import type { Config } from "../config/types.js";
import { CallbackdError, UsageError } from "../errors.js";
import { redactDeep } from "../logging/redact.js";
import type { CliIo } from "./io.js";
import { OutputError, outputError, watchOutput } from "./output.js";

// Each command's modules are loaded when it runs: `run` on a box must not carry the demo's simulator and
// embedded broker, the decoder's printers or the doctor (about 15 MiB of RSS), and `decode` starts without
// the phone side (its URL checks are the `config` command's).

const HELP = `callbackd — Cisco Call Back for a branch office, learned from the wire

Usage:
  callbackd decode <file|-> [--json | --summary] [--filter key=value ...]
      Decode a pcap/pcapng capture (or stdin with "-"): one line per message. A capture cut short is a
      warning on stderr; a corrupt one (records lost after the damage) exits 1 with CAPTURE_CORRUPT.
      --json      one JSON object per message, one per line
      --summary   only counts per protocol and message, gaps, resyncs, packets read
      --filter    keep records matching key=value[,value] (keys: proto, name, id, host, port);
                  repeat for more keys (all must match)
  callbackd demo [--forever] [--live | --mirror] [--state-dir DIR]
      The built-in branch-office demo: a simulated CallManager and phones on loopback, the service
      watching them, an embedded MQTT broker, and a narration of a call-back from busy to dial.
      Its state lives in a temporary directory removed when it ends (also on Ctrl-C);
      --state-dir DIR keeps it in DIR instead (created if missing, never removed).
  callbackd run [--config FILE]
      Run the service (live capture on capture.interface, or capture.file).
  callbackd replay <file|-> [--config FILE] [--speed N | --as-fast-as-possible] [--linger SECONDS]
                   [--state-dir DIR]
      Run the service on a capture (or stdin with "-") with capture time as the clock, then print a
      summary (requests made, notified, ended by reason, phones it could not learn, alarms). --speed N
      paces frames at N× real time (default: as fast as possible); --linger keeps the phone-facing HTTP
      service up that long after the capture ends. State is in memory unless --state-dir names a directory
      to restore from and save to (replaying a capture in parts, as a box restarted between them would).
  callbackd doctor [--config FILE]
      Check this box: capture privilege, interface, state directory, broker, configuration, time sync,
      pcap addon. One line per check (OK/WARN/FAIL) with what to fix; exit code 1 when a check fails.
  callbackd console [--config FILE] [--port N] | console --hash
      A local shell on the running service's diagnostic console (127.0.0.1, port
      service.cbbChangeNotificationPort, 2552 by default; see docs/CONSOLE.md).
      --hash      read a password (twice on a terminal) and print its scrypt hash for console.passwordHash
  callbackd snapshot [--config FILE | --dir DIR] [--json]
      What the state directory holds (read-only): both snapshot slots, and the call-back requests of the
      newest one that can be decoded. Safe while the service runs.
  callbackd boot-config [--from FILE ...] [--to FILE]
      Move a valid callbackd.json from the boot partition (/boot/firmware, then /boot) to the configuration
      file (/etc/callbackd/config.json); an invalid one is left in place and reported (exit code 1). The
      unit runs it as root before every start: the first-boot configuration of a headless box.
  callbackd params [--json]
      The service parameters with their units, defaults, ranges and restart flags.
  callbackd config [--config FILE] [--check]
      Print the effective configuration (defaults, file, saved configuration, CALLBACKD_* environment,
      applied desired configuration; secrets redacted), or only validate it.
  callbackd help | --help | --version

Configuration file: --config FILE, else the CALLBACKD_CONFIG environment variable, else built-in defaults.
Any key can be overridden from the environment: CALLBACKD_<SECTION>_<KEY>, e.g. CALLBACKD_CAPTURE_INTERFACE=eth0.
`;

/**
 * The configuration a command runs with: the file, the saved running configuration and the applied desired
 * configuration of the state directory, and the environment (precedence in src/config/saved.ts).
 */
function effectiveConfig(file: unknown, env: NodeJS.ProcessEnv): { config: Config; saved: SavedConfig } {
    const saved = SavedConfig.locate({ ...(typeof file === "string" ? { file } : {}), env });
    return { config: loadConfig(saved.loadOptions()), saved };
}

function version(): string {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
}

function parse(args: string[], options: NonNullable<ParseArgsConfig["options"]>, positionals: number) {
    try {
        const r = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
        if (r.positionals.length > positionals) {
            throw new UsageError("USAGE", `unexpected argument "${r.positionals[positionals]}"`);
        }
        return r;
    } catch (err) {
        if (err instanceof UsageError) throw err;
        throw new UsageError("USAGE", (err as Error).message);
    }
}

/** Runs one command line; resolves with the process exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
    const output = watchOutput(io.out);
    const code = await runCommandLine(argv, io);
    // Output that could not be written (disk full) fails the command: its output is incomplete.
    const failed = outputError(await output.settle());
    if (failed === null) return code;
    io.err.write(`callbackd: ${failed.code}: ${failed.message}\n`);
    return code === 0 ? 1 : code;
}

async function runCommandLine(argv: string[], io: CliIo): Promise<number> {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case "decode":
                return await decodeCommand(rest, io);
            case "run":
                return await runCommand(rest, io);
            case "replay":
                return await replayCommand(rest, io);
            case "doctor": {
                const { values } = parse(rest, { config: { type: "string" } }, 0);
                const { runDoctor } = await import("./doctor.js");
                return await runDoctor({ file: values.config as string | undefined, env: io.env, out: io.out });
            }
            case "demo": {
                const { values } = parse(
                    rest,
                    {
                        forever: { type: "boolean" },
                        mirror: { type: "boolean" },
                        live: { type: "boolean" },
                        "state-dir": { type: "string" },
                    },
                    0,
                );
                const capture = values.live ? "live" : values.mirror ? "mirror" : undefined;
                const stateDir = values["state-dir"] as string | undefined;
                if (stateDir === "") throw new UsageError("USAGE", "--state-dir needs a directory");
                const { runDemo } = await import("./demo.js");
                // Ctrl-C ends the demo the way its end does: everything stopped, the temporary state removed.
                const ac = new AbortController();
                const stop = (): void => ac.abort();
                process.once("SIGINT", stop);
                process.once("SIGTERM", stop);
                try {
                    return await runDemo({
                        out: io.out,
                        forever: values.forever === true,
                        signal: ac.signal,
                        ...(capture ? { capture } : {}),
                        ...(stateDir !== undefined ? { stateDir } : {}),
                    });
                } finally {
                    process.off("SIGINT", stop);
                    process.off("SIGTERM", stop);
                }
            }
            case "console": {
                const { values } = parse(
                    rest,
                    { config: { type: "string" }, port: { type: "string" }, hash: { type: "boolean" } },
                    0,
                );
                const stdio = { input: io.in ?? process.stdin, output: io.out };
                const { hashFromInput, runConsoleClient } = await import("../console/client.js");
                if (values.hash) {
                    io.out.write(`${await hashFromInput(stdio)}\n`);
                    return 0;
                }
                const config = effectiveConfig(values.config, io.env).config;
                const port = values.port === undefined ? config.service.cbbChangeNotificationPort : Number(values.port);
                if (!Number.isInteger(port) || port < 1 || port > 65535) {
                    throw new UsageError("USAGE", `--port must be 1..65535, not "${String(values.port)}"`);
                }
                return await runConsoleClient(port, stdio);
            }
            case "snapshot": {
                const { values } = parse(
                    rest,
                    { config: { type: "string" }, dir: { type: "string" }, json: { type: "boolean" } },
                    0,
                );
                const { stateDirectory } = await import("../config/saved.js");
                const { runSnapshotInspect } = await import("./snapshot.js");
                const dir =
                    (values.dir as string | undefined) ??
                    stateDirectory(loadConfig({ file: values.config as string | undefined, env: io.env }), io.env);
                return await runSnapshotInspect(dir, values.json === true, io.out);
            }
            case "boot-config":
                return await bootConfigCommand(rest, io);
            case "params": {
                const { values } = parse(rest, { json: { type: "boolean" } }, 0);
                io.out.write(
                    values.json ? `${JSON.stringify(parametersJson(), null, 2)}\n` : `${renderParameters()}\n`,
                );
                return 0;
            }
            case "config": {
                const { values } = parse(rest, { config: { type: "string" }, check: { type: "boolean" } }, 0);
                const { config, saved } = effectiveConfig(values.config, io.env);
                for (const w of saved.warnings) io.err.write(`callbackd: warning: ${w}\n`);
                // what the schema cannot see: the screen URLs built on http.publicUrl must fit a phone
                const { checkPublicUrl } = await import("../phone/urls.js");
                checkPublicUrl(config.http.publicUrl);
                // Secrets (push and broker passwords) never reach the console.
                io.out.write(
                    values.check ? "configuration is valid\n" : `${JSON.stringify(redactDeep(config), null, 2)}\n`,
                );
                return 0;
            }
            case "--version":
            case "version":
                io.out.write(`${version()}\n`);
                return 0;
            case undefined:
            case "help":
            case "--help":
            case "-h":
                io.out.write(HELP);
                return 0;
            default:
                throw new UsageError("USAGE", `unknown command "${command}" (try: callbackd help)`);
        }
    } catch (err) {
        if (err instanceof OutputError) return 1; // main() reports it once
        if (err instanceof CallbackdError) {
            io.err.write(`callbackd: ${err.code}: ${err.message}\n`);
            return err instanceof UsageError ? 2 : 1;
        }
        throw err;
    }
}

async function decodeCommand(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(
        args,
        {
            json: { type: "boolean" },
            summary: { type: "boolean" },
            filter: { type: "string", multiple: true },
            config: { type: "string" },
        },
        1,
    );
    const input = positionals[0];
    if (input === undefined) throw new UsageError("USAGE", "decode needs a capture file (or - for stdin)");
    const config = effectiveConfig(values.config, io.env).config;
    const mode = values.summary ? "summary" : values.json ? "json" : "human";
    const { parseFilters, runDecode } = await import("./decode.js");
    const { protocolRoutes } = await import("../ingest/pipeline.js");
    const summary = await runDecode({
        input,
        mode,
        json: values.json === true,
        filter: parseFilters((values.filter as string[] | undefined) ?? []),
        out: io.out,
        // Counting needs message names only: the SCCP decoder then skips field decoding.
        routes: protocolRoutes(config.capture.sccpPorts, qbePorts(config), {
            sccp: { decodeFields: mode !== "summary" },
        }),
        reassembly: { ...config.reassembly, serverPorts: [...config.capture.sccpPorts, ...qbePorts(config)] },
        ...(input === "-" && io.in !== undefined ? { inputStream: io.in } : {}),
    });
    return captureVerdict(summary.input, summary.capture, io);
}

/**
 * What a damaged capture means for the exit status: a tail cut in the middle of a packet (a capture tool
 * stopped mid-write) loses only that packet and is a warning; corruption inside the file loses everything
 * after it and fails the command (CAPTURE_CORRUPT). Both are said on stderr, whatever the output mode.
 */
function captureVerdict(input: string, c: CaptureFileStats, io: CliIo): number {
    if (c.corrupt) {
        io.err.write(
            `callbackd: CAPTURE_CORRUPT: ${input} is corrupt at byte ${String(c.corruptOffset)} (${c.corruptReason ?? "unknown"}): ` +
                `${c.frames} packets read, the rest of the file is not decoded\n`,
        );
        return 1;
    }
    if (c.truncatedTail) {
        io.err.write(
            `callbackd: warning: ${input} is cut short in the middle of a packet (${c.frames} complete packets read)\n`,
        );
    }
    return 0;
}

async function bootConfigCommand(args: string[], io: CliIo): Promise<number> {
    const { values } = parse(args, { from: { type: "string", multiple: true }, to: { type: "string" } }, 0);
    const { describeBootConfig, importBootConfig } = await import("../system/bootConfig.js");
    const from = values.from as string[] | undefined;
    const outcome = importBootConfig({
        ...(from !== undefined ? { from } : {}),
        ...(values.to !== undefined ? { to: values.to as string } : {}),
    });
    // Under systemd (stdout is the journal) a <N> prefix sets the priority: `journalctl -p err` finds it.
    const journal = io.env.JOURNAL_STREAM !== undefined;
    for (const line of describeBootConfig(outcome)) {
        const text = `${journal ? `<${line.priority}>` : ""}boot-config: ${line.text}\n`;
        (line.priority <= 4 ? io.err : io.out).write(text);
    }
    return outcome.kind === "invalid" || outcome.kind === "failed" ? 1 : 0;
}

async function runCommand(args: string[], io: CliIo): Promise<number> {
    const { values } = parse(args, { config: { type: "string" } }, 0);
    const { config, saved } = effectiveConfig(values.config, io.env);
    // The capture child (a second Node process: the pcap addon, libpcap's open) is forked before the service's
    // modules load, so the two start-ups overlap; the service takes its frames once it has started.
    const [{ EarlyCapture }, { liveCaptureOptions }] = await Promise.all([
        import("../capture/earlyCapture.js"),
        import("./captureOptions.js"),
    ]);
    const options = liveCaptureOptions(config);
    const early = options === null ? undefined : new EarlyCapture(options);
    early?.start();
    try {
        const { runService } = await import("./run.js");
        return await runService(config, io, undefined, saved, early);
    } finally {
        early?.stop();
    }
}

async function replayCommand(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parse(
        args,
        {
            config: { type: "string" },
            speed: { type: "string" },
            "as-fast-as-possible": { type: "boolean" },
            linger: { type: "string" },
            "state-dir": { type: "string" },
        },
        1,
    );
    const file = positionals[0];
    if (file === undefined) throw new UsageError("USAGE", "replay needs a capture file (or - for stdin)");
    // Listen for a stop before loading anything: a replay stopped while it starts still ends with its summary.
    const ac = new AbortController();
    const stop = (): void => ac.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
        const { parseLinger, parseSpeed, runReplay } = await import("./replay.js");
        if (values.speed !== undefined && values["as-fast-as-possible"] === true) {
            throw new UsageError("USAGE", "--speed and --as-fast-as-possible exclude each other");
        }
        const speed = values.speed === undefined ? null : parseSpeed(values.speed as string);
        const lingerS = values.linger === undefined ? 0 : parseLinger(values.linger as string);
        const config = effectiveConfig(values.config, io.env).config;
        const stateDir = values["state-dir"] as string | undefined;
        await runReplay(config, {
            file,
            speed,
            lingerS,
            out: io.out,
            signal: ac.signal,
            ...(stateDir !== undefined ? { stateDir } : {}),
            ...(file === "-" ? { input: io.in ?? process.stdin } : {}),
        });
    } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
    }
    return 0;
}
