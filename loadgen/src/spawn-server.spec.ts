import { cpuListSize, gcOptionsWhenPinned, serverGcOptions } from './spawn-server';

describe('cpuListSize: CPUs in a taskset -c list', () => {
  it('counts single CPUs, ranges and their mixes, each CPU once', () => {
    expect(cpuListSize('0')).toBe(1);
    expect(cpuListSize('0,1')).toBe(2);
    expect(cpuListSize('0-3')).toBe(4);
    expect(cpuListSize('0-3,6')).toBe(5);
    expect(cpuListSize('1,1,0-1')).toBe(2);
  });

  it('refuses what is not a CPU list, with the list in the message', () => {
    expect(() => cpuListSize('')).toThrow(/not a CPU list: ""/);
    expect(() => cpuListSize('0,,1')).toThrow(RangeError);
    expect(() => cpuListSize('a')).toThrow(/not a CPU list: "a"/);
    expect(() => cpuListSize('3-1')).toThrow(/runs backwards/);
    // a huge range is refused before it is walked
    expect(() => cpuListSize('0-9007199254740991')).toThrow(/CPU numbers go up to 8191/);
  });
});

describe('serverGcOptions', () => {
  it('gives a server of one CPU the single-threaded collector, and more CPUs V8 defaults', () => {
    expect(serverGcOptions(1)).toEqual(['--single-threaded-gc']);
    expect(serverGcOptions(2)).toEqual([]);
  });

  it('reads the CPU count from a taskset list', () => {
    expect(gcOptionsWhenPinned('0')).toEqual(['--single-threaded-gc']);
    expect(gcOptionsWhenPinned('0-1')).toEqual([]);
    expect(() => gcOptionsWhenPinned('x')).toThrow(RangeError);
  });
});
