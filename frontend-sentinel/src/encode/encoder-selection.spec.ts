import { selectEncoder, type EncoderProbes } from './encoder-selection';

function probes(webCodecs: boolean | 'throws', wasm: boolean | 'throws'): EncoderProbes {
  const answer = (v: boolean | 'throws') => () => (v === 'throws' ? Promise.reject(new Error('probe failed')) : Promise.resolve(v));
  return { webCodecs: answer(webCodecs), wasm: answer(wasm) };
}

describe('selectEncoder', () => {
  test.each([
    // preference, webCodecs, wasm -> encoder, available
    ['webcodecs', true, true, 'webcodecs', ['webcodecs', 'openh264-wasm']],
    ['webcodecs', true, false, 'webcodecs', ['webcodecs']],
    ['webcodecs', false, true, 'openh264-wasm', ['openh264-wasm']],
    ['webcodecs', 'throws', true, 'openh264-wasm', ['openh264-wasm']],
    ['webcodecs', false, false, null, []],
    ['wasm', true, true, 'openh264-wasm', ['webcodecs', 'openh264-wasm']],
    ['wasm', true, false, null, ['webcodecs']],
    ['wasm', false, 'throws', null, []],
  ] as const)('%s with WebCodecs %s, wasm %s -> %s', async (preference, webCodecs, wasm, encoder, available) => {
    const selection = await selectEncoder(preference, probes(webCodecs, wasm));
    expect(selection.encoder).toBe(encoder);
    expect(selection.available).toEqual(available);
  });

  test('explains a forced fallback that is not installed, and how to get WebCodecs back', async () => {
    const { reason } = await selectEncoder('wasm', probes(true, false));
    expect(reason).toContain('bash tools/openh264-wasm/build.sh');
    expect(reason).toContain('Remove &encoder=wasm');
  });

  test('explains when nothing can encode', async () => {
    const { reason } = await selectEncoder('webcodecs', probes(false, false));
    expect(reason).toMatch(/cannot encode H\.264 with WebCodecs.*tools\/openh264-wasm\/build\.sh/);
  });
});
