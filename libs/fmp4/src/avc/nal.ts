/** nal_unit_type values used here (ITU-T H.264 §7.4.1, Table 7-1). */
export const NAL_TYPE_SLICE = 1;
export const NAL_TYPE_IDR = 5;
export const NAL_TYPE_SEI = 6;
export const NAL_TYPE_SPS = 7;
export const NAL_TYPE_PPS = 8;
export const NAL_TYPE_AUD = 9;

/** nal_unit_type of a NAL unit: low 5 bits of its first byte (ITU-T H.264 §7.3.1). -1 if empty. */
export function nalUnitType(nal: Uint8Array): number {
  return nal.length === 0 ? -1 : nal[0] & 0x1f;
}
