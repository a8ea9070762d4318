/**
 * Where our JSON field names differ from Wireshark's (`skinny.<name>`): the decode contract of
 * `callbackd decode --json` spells these the way tools outside the project read them. Every other field
 * keeps Wireshark's name. The tshark oracle test maps through this table.
 */
export const WIRESHARK_TO_CONTRACT: Readonly<Record<string, string>> = {
    DeviceName: "deviceName",
    forwardAllDirnum: "forwardAllNumber",
    forwardBusyDirnum: "forwardBusyNumber",
    forwardNoAnswerlDirnum: "forwardNoAnswerNumber", // sic: Wireshark's own spelling has the stray "l"
};
