import { histogramCount, histogramDelta, histogramQuantile, parseHistogram, shareWithin } from './server-histogram';

/** A scrape as prom-client writes it (other metrics around it, a labelled series of another name). */
const scrape = (counts: number[]) => `# HELP vigil_fragment_ack_seconds Time from receiving a media message to sending its ack
# TYPE vigil_fragment_ack_seconds histogram
vigil_fragment_ack_seconds_bucket{le="0.01"} ${counts[0]}
vigil_fragment_ack_seconds_bucket{le="0.025"} ${counts[1]}
vigil_fragment_ack_seconds_bucket{le="0.05"} ${counts[2]}
vigil_fragment_ack_seconds_bucket{le="+Inf"} ${counts[3]}
vigil_fragment_ack_seconds_sum 1.5
vigil_fragment_ack_seconds_count ${counts[3]}
vigil_viewer_latency_seconds_bucket{le="0.05"} 7
nodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 3
`;

describe('server histogram', () => {
  it('reads one histogram\'s buckets from /metrics text, ignoring the others', () => {
    expect(parseHistogram(scrape([1, 2, 3, 4]), 'vigil_fragment_ack_seconds')).toEqual({ bounds: [0.01, 0.025, 0.05, Infinity], counts: [1, 2, 3, 4] });
    expect(parseHistogram(scrape([1, 2, 3, 4]), 'vigil_missing_seconds')).toBeNull();
    expect(parseHistogram('vigil_x_bucket{le="0.1"} 3\n', 'vigil_x')).toBeNull(); // no +Inf bucket
  });

  it('takes the difference of two scrapes; refuses different buckets and counts that went down', () => {
    const a = parseHistogram(scrape([10, 20, 30, 40]), 'vigil_fragment_ack_seconds')!;
    const b = parseHistogram(scrape([110, 170, 185, 200]), 'vigil_fragment_ack_seconds')!;
    const d = histogramDelta(a, b);
    expect(d.counts).toEqual([100, 150, 155, 160]);
    expect(histogramCount(d)).toBe(160);
    expect(() => histogramDelta(b, a)).toThrow(/went down/);
    expect(() => histogramDelta(a, { bounds: [0.01, Infinity], counts: [1, 2] })).toThrow(/different buckets/);
  });

  it('interpolates quantiles within their bucket as histogram_quantile does', () => {
    const h = { bounds: [0.01, 0.025, 0.05, Infinity], counts: [90, 98, 99, 100] };
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.01 * (50 / 90), 12); // first bucket from 0
    expect(histogramQuantile(h, 0.94)).toBeCloseTo(0.01 + 0.015 * (4 / 8), 12);
    expect(histogramQuantile(h, 0.99)).toBeCloseTo(0.05, 12); // the top of the bucket holding rank 99
    expect(histogramQuantile(h, 0.995)).toBe(0.05); // in +Inf: the highest finite bound
    expect(histogramQuantile({ bounds: [0.01, Infinity], counts: [0, 0] }, 0.99)).toBeNull();
    expect(() => histogramQuantile(h, 1.5)).toThrow(RangeError);
  });

  it('gives the share within a bucket bound', () => {
    const h = { bounds: [0.01, 0.025, 0.05, Infinity], counts: [90, 98, 99, 100] };
    expect(shareWithin(h, 0.05)).toBe(0.99);
    expect(shareWithin({ bounds: [0.05, Infinity], counts: [0, 0] }, 0.05)).toBeNull();
    expect(() => shareWithin(h, 0.04)).toThrow(/not a bucket bound/);
  });
});
