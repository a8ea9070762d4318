/** Branch-office simulator: a CallManager, SCCP phones, scenarios, traffic and capture writers. */
export { Branch, type BranchOptions, type BranchPhoneSpec, parseScenario, phoneAddress, Scenario } from "./branch.js";
export {
    type BusySignal,
    SimCallManager,
    type SimCallManagerOptions,
    type SimDeviceConfig,
    type SimLegEvent,
    type SimLineConfig,
    type SoftKeyPress,
} from "./callManager.js";
export { DEFAULT_SIM_START, ManualClock, RealClock } from "./clock.js";
export { SimCtiApp, type SimCtiAppOptions, type SimCtiAppState } from "./ctiApp.js";
export { CtiCallState, CtiFailure, ctiStateOf, SimCtiManager, type SimCtiManagerOptions } from "./ctiManager.js";
export { type CallInfoData, type ForwardData, type LocalTime, localTime } from "./dialect.js";
export { SimError } from "./errors.js";
export { Label, Lamp, label, Msg, Ring, Stimulus } from "./ids.js";
export { LiveCaptureFile, type LiveCaptureFileOptions } from "./liveCapture.js";
export { PHONE_MODELS, type PhoneModelInfo, phoneModel } from "./models.js";
export { type LinkCloseReason, MemoryNetwork, type SimLink, type SimNetwork, TcpNetwork } from "./network.js";
export { type HistoryEntry, type PhoneCall, SimPhone, type SimPhoneOptions, type SoftKeyView } from "./phone.js";
export { SeededRandom } from "./random.js";
export { type FrameOutput, frameSinkOutput, SyntheticCapture, type SynthOptions } from "./synth.js";
export { TrafficGenerator, type TrafficOptions, type TrafficStats } from "./traffic.js";
export * from "./types.js";
