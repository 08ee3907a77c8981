/**
 * Which H.264 encoder the Sentinel uses (Vigil encoding spec: "WebCodecs VideoEncoder first;
 * OpenH264 compiled to WebAssembly as the fallback, same output on the wire"):
 *
 * - `?encoder=wasm` forces the OpenH264 WebAssembly fallback (tests, comparisons, browsers whose
 *   WebCodecs encoder misbehaves);
 * - otherwise WebCodecs when `VideoEncoder.isConfigSupported` accepts Constrained Baseline at
 *   1280x720, else the fallback when the server has its build and the browser can run it;
 * - neither: the Sentinel cannot record, and says why.
 *
 * `selectEncoder` is pure (probes injected); `browserEncoderProbes` are the real probes.
 */
import { FPS_DEFAULT } from '@vigil/protocol';
import type { EncoderName } from './encoder-backend';
import { encoderSettingsFor } from './encoder-settings';
import { OpenH264WasmBackend } from './openh264/openh264-backend';
import { WebCodecsBackend } from './webcodecs-backend';

/** The URL's `encoder` parameter: `webcodecs` (default: WebCodecs, else fallback) or `wasm` (force the fallback). */
export type EncoderPreference = 'webcodecs' | 'wasm';

/** Answers "can this encoder run here?"; a probe that throws counts as "no". */
export interface EncoderProbes {
  /** WebCodecs can encode H.264 Constrained Baseline. */
  webCodecs(): Promise<boolean>;
  /** The OpenH264 WebAssembly build is installed on the server and can run in this browser. */
  wasm(): Promise<boolean>;
}

/** The outcome. */
export interface EncoderSelection {
  /** The encoder to use, or null when none can run. */
  readonly encoder: EncoderName | null;
  /** Every encoder that can run here (for `hello.capabilities.encoders`), preferred first. */
  readonly available: readonly EncoderName[];
  /** Why: for the status panel and the log (the error to show when `encoder` is null). */
  readonly reason: string;
}

const BUILD_HINT = 'the server has no OpenH264 WebAssembly build (bash tools/openh264-wasm/build.sh) or this browser cannot run it';

/** Chooses an encoder; see the module comment. */
export async function selectEncoder(preference: EncoderPreference, probes: EncoderProbes): Promise<EncoderSelection> {
  const [webCodecs, wasm] = await Promise.all([safe(probes.webCodecs), safe(probes.wasm)]);
  const available: EncoderName[] = [];
  if (webCodecs) available.push('webcodecs');
  if (wasm) available.push('openh264-wasm');
  if (preference === 'wasm') {
    return wasm
      ? { encoder: 'openh264-wasm', available, reason: 'OpenH264 WebAssembly encoder forced by &encoder=wasm' }
      : {
          encoder: null,
          available,
          reason: `The OpenH264 WebAssembly encoder (&encoder=wasm) is not available in this build or this browser: ${BUILD_HINT}. Remove &encoder=wasm to use the browser's encoder (WebCodecs).`,
        };
  }
  if (webCodecs) return { encoder: 'webcodecs', available, reason: 'WebCodecs H.264 encoder' };
  if (wasm) {
    return {
      encoder: 'openh264-wasm',
      available,
      reason: 'This browser has no WebCodecs H.264 encoder: using the OpenH264 WebAssembly fallback',
    };
  }
  return {
    encoder: null,
    available,
    reason: `This browser cannot encode H.264 with WebCodecs, and ${BUILD_HINT}: use Chrome or Edge 94 or later.`,
  };
}

/** The probes of a real browser page. */
export function browserEncoderProbes(): EncoderProbes {
  return {
    async webCodecs() {
      if (!WebCodecsBackend.isAvailable()) return false;
      const probe = new WebCodecsBackend({ output: () => undefined, error: () => undefined });
      try {
        return await probe.isSupported(encoderSettingsFor({ width: 1280, height: 720 }, FPS_DEFAULT));
      } finally {
        probe.close();
      }
    },
    wasm: () => OpenH264WasmBackend.isAvailable(),
  };
}

async function safe(probe: () => Promise<boolean>): Promise<boolean> {
  try {
    return (await probe()) === true;
  } catch {
    return false;
  }
}
