/** Cluster model: phones, lines and calls learned from the wire. */
export { CtiTracker } from "./cti.js";
export { ClusterModel } from "./model.js";
export { callBackInSet, labelCode, type SoftKeySets, type SoftKeyTemplate } from "./softkeys.js";
export { formatPhoneTime, type PhoneClock, phoneTimeAt } from "./time.js";
export type * from "./types.js";
