/**
 * The cluster model: the box's picture of phones, lines and calls, learned passively from SCCP (and CTI).
 * Pure and deterministic: decoded messages and capture times in, domain events out, no timers (the owner
 * calls `tick(now)` to apply keepalive time-outs). Queries return fresh plain objects.
 *
 * Learned per device (SCCP-REFERENCE §4): registration and its primary/standby CallManager links; lines
 * (instance → DN) and forwarding; the softkey template (event → label, so CallBack is recognised by its
 * label 0x80 0x41 whatever event number the CallManager gave it); calls per (line, callRef) with state from
 * CallState, or derived from hook/lamp/tone/ringer messages on CallManagers that never send CallState;
 * the phone's clock. DN state combines every device sharing the DN; CTI fills in DNs not seen on SCCP.
 *
 * Gaps: a reassembly gap marks the device, its lines and calls uncertain; a DN with an uncertain line reads
 * "unknown" (unless a certain line shows it busy or ringing) until an authoritative message: CallState for
 * each uncertain call (or the idle screen), LineStatRes for the line mapping, or a new registration.
 */
import type { StreamContext } from "../protocol/dispatcher.js";
import type { CtiEvent } from "../qbe/link.js";
import type { SccpMessage } from "../sccp/codec.js";
import type { SccpMessageObserver } from "../sccp/stream.js";
import type { CloseReason } from "../wire/reassembly.js";
import type { KnowledgeExport, KnowledgeSnapshot, KnowledgeSummary, UnlearnedPhone } from "./knowledge.js";
import * as knowledgeIo from "./knowledgeIo.js";
import * as messages from "./messages.js";
import { createState, type ModelState } from "./state.js";
import type {
    CallView,
    ClusterModelOptions,
    ClusterStats,
    CtiStatus,
    DeviceView,
    DnState,
    DnView,
    PhoneTimeView,
} from "./types.js";
import * as views from "./views.js";

/**
 * The cluster model, a facade: it holds the state and hands each input and query to the part it concerns
 * (messages, devices, lines, calls, derived, presses, views, knowledgeIo: each a function of the state).
 */
export class ClusterModel implements SccpMessageObserver {
    readonly #s: ModelState;

    constructor(opts: ClusterModelOptions = {}) {
        this.#s = createState(opts);
    }

    /** One decoded SCCP message; dir 0 = phone → CallManager. */
    onSccpMessage(ctx: StreamContext, dir: 0 | 1, msg: SccpMessage, ts: number): void {
        messages.onSccpMessage(this.#s, ctx, dir, msg, ts);
    }

    /** Bytes were lost on a connection: what it told us is no longer certain. */
    onSccpGap(ctx: StreamContext, _dir: 0 | 1, _missedBytes: number, ts: number): void {
        messages.onSccpGap(this.#s, ctx, ts);
    }

    /**
     * The connection ended. `reason` tells a real close (FIN,
     * RST) from the end of a capture file or an idle/evicted connection, which say nothing about the phone.
     */
    onSccpClose(ctx: StreamContext, ts: number, reason?: CloseReason): void {
        messages.onSccpClose(this.#s, ctx, ts, reason);
    }

    /** One event of the CTI link observer (times in ms there). */
    onCtiEvent(e: CtiEvent): void {
        messages.onCtiEvent(this.#s, e);
    }

    /** Applies time-outs up to capture time `now` (s): keepalive loss, quiet standby links, stale leg index. */
    tick(now: number): void {
        messages.tick(this.#s, now);
    }

    /** Capture time (s) from which `tick` looks for knowledge past its maximum age again. */
    get nextKnowledgeCheck(): number {
        return this.#s.nextExpiry;
    }

    /** Earliest capture time at which `tick` would unregister a device, or null. */
    nextDeadline(): number | null {
        return views.nextDeadline(this.#s);
    }

    /** A device by key (device name, or "@ip" for a device whose name is not known). */
    device(key: string): DeviceView | null {
        return views.device(this.#s, key);
    }

    /** A device's name and model only: cheap, for the hot path of a push (device() builds the whole view). */
    deviceIdentity(key: string): { name: string | null; model: string | null } | null {
        return views.deviceIdentity(this.#s, key);
    }

    /** The device at a phone IP address. */
    deviceByIp(ip: string): DeviceView | null {
        return views.deviceByIp(this.#s, ip);
    }

    /** Every device (sorted by key). */
    allDevices(): DeviceView[] {
        return views.allDevices(this.#s);
    }

    /** A directory number across its devices (always answers; `known` says whether it is in the cluster). */
    dn(dn: string): DnView {
        return views.dn(this.#s, dn);
    }

    /** State of a DN (the same value LineStateChanged reports). */
    dnState(dn: string): DnState {
        return views.dnState(this.#s, dn);
    }

    /** True when the DN is in this cluster as far as the box knows: observed, static directory, or CTI. */
    isKnownDn(dn: string): boolean {
        return views.isKnownDn(this.#s, dn);
    }

    /**
     * True when the box can watch the DN: a device with it on a line was seen on the wire (SCCP), or CTI line
     * events of it (an open line or its calls) were seen. A number known only from the static directory is not.
     */
    isObservableDn(dn: string): boolean {
        return views.isObservableDn(this.#s, dn);
    }

    /** Every DN the model knows of (sorted). */
    allDns(): string[] {
        return views.allDns(this.#s);
    }

    /** Live calls of every device. */
    liveCalls(): CallView[] {
        return views.liveCalls(this.#s);
    }

    /** The most recently ended calls (oldest first). */
    recentCalls(): CallView[] {
        return views.recentCalls(this.#s);
    }

    /** The phone's local time at capture time `now`, or null when the phone's clock was never seen. */
    phoneTime(key: string, now: number): PhoneTimeView | null {
        return views.phoneTime(this.#s, key, now);
    }

    /** CTI condition and sessions. */
    ctiStatus(): {
        status: CtiStatus;
        sessions: { session: string; state: string; since: number; reason: string | null }[];
    } {
        return views.ctiStatus(this.#s);
    }

    /** The Call Back configuration checklist: phones whose template lacks CallBack in On Hook or Ring Out. */
    softKeyChecklist(): {
        device: string;
        name: string | null;
        model: string | null;
        onHook: boolean | null;
        ringOut: boolean | null;
    }[] {
        return views.softKeyChecklist(this.#s);
    }

    /** CallManagers seen, with how many devices have an up primary or standby link to each (sorted). */
    callManagers(): { cm: string; primary: number; standby: number }[] {
        return views.callManagers(this.#s);
    }

    /** Counters and sizes. */
    stats(): ClusterStats {
        return views.stats(this.#s);
    }

    /** Changes to knowledge so far: the owner writes a snapshot when this moves (never for keepalives). */
    get knowledgeVersion(): number {
        return this.#s.knowledgeChanges;
    }

    /**
     * The knowledge for a snapshot: the shared tables, and per device its key, its revision (moves when its
     * facts change) and its plain form on demand, so a writer re-encodes only the devices that changed.
     * Devices by key: the same knowledge always gives the same bytes.
     */
    knowledgeExport(): KnowledgeExport {
        return knowledgeIo.knowledgeExport(this.#s);
    }

    /** The knowledge in plain form (tests, replication, `callbackd snapshot`). */
    exportKnowledge(): KnowledgeSnapshot {
        return knowledgeIo.exportKnowledge(this.#s);
    }

    /**
     * Restores knowledge from a snapshot, before any traffic: it serves at once (names, numbers, the CallBack
     * key, the phone's clock); a device is confirmed when its traffic is seen again and replaced by a new
     * registration. Devices the model knows already keep what it learned. Returns the devices restored.
     */
    restoreKnowledge(k: KnowledgeSnapshot): number {
        return knowledgeIo.restoreKnowledge(this.#s, k);
    }

    /** Counts by how devices were learned, for `show cluster knowledge` and the MQTT status. */
    knowledgeSummary(): KnowledgeSummary {
        return knowledgeIo.knowledgeSummary(this.#s);
    }

    /** Phones with traffic this run that lack the CallBack key or their numbers (sorted by key). */
    unlearnedPhones(): UnlearnedPhone[] {
        return knowledgeIo.unlearnedPhones(this.#s);
    }
}
