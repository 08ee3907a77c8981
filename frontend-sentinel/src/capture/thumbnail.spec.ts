import { lumaThumbnail } from './thumbnail';

describe('lumaThumbnail (pure)', () => {
  it('box-averages the Y plane of an I420/NV12 frame, honouring offset and stride, in full range', () => {
    // 8x4 Y plane with a stride of 10 (2 bytes of padding per row), starting at offset 3
    const data = new Uint8Array(3 + 4 * 10).fill(255);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 8; x++) data[3 + y * 10 + x] = x < 4 ? 16 : 235;
    const out = lumaThumbnail(data, 'NV12', { offset: 3, stride: 10 }, 8, 4, new Uint8Array(4), 2, 2);
    expect([...out]).toEqual([0, 255, 0, 255]); // limited-range black and white
  });

  it('weights RGB with BT.601 and reads BGRA in its own order', () => {
    const red = new Uint8Array([255, 0, 0, 255, 255, 0, 0, 255]);
    expect([...lumaThumbnail(red, 'RGBA', { offset: 0, stride: 8 }, 2, 1, new Uint8Array(1), 1, 1)]).toEqual([76]);
    const blueAsBgra = new Uint8Array([255, 0, 0, 255, 255, 0, 0, 255]);
    expect([...lumaThumbnail(blueAsBgra, 'BGRA', { offset: 0, stride: 8 }, 2, 1, new Uint8Array(1), 1, 1)]).toEqual([28]);
  });

  it('a few changed pixels change their cell (typing is not a frozen screen)', () => {
    const w = 192;
    const h = 108;
    const data = new Uint8Array(w * h).fill(235);
    const before = [...lumaThumbnail(data, 'I420', { offset: 0, stride: w }, w, h, new Uint8Array(64 * 36), 64, 36)];
    for (let x = 10; x < 13; x++) data[50 * w + x] = 16; // three dark pixels: a character
    const after = [...lumaThumbnail(data, 'I420', { offset: 0, stride: w }, w, h, new Uint8Array(64 * 36), 64, 36)];
    expect(after.filter((v, i) => v !== before[i]).length).toBeGreaterThan(0);
  });

  it('refuses formats it cannot read and bytes shorter than the layout, clearly', () => {
    expect(() => lumaThumbnail(new Uint8Array(16), 'P010', { offset: 0, stride: 4 }, 4, 4, new Uint8Array(1), 1, 1)).toThrow(/format P010 is not read by the screen watch/);
    expect(() => lumaThumbnail(new Uint8Array(15), 'I420', { offset: 0, stride: 4 }, 4, 4, new Uint8Array(1), 1, 1)).toThrow(/shorter than its size and layout/);
  });
});
