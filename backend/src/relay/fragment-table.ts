/**
 * The records of a stream's buffered fragments, oldest first, as rows of one `Float64Array`
 * (pure: no I/O).
 *
 * Why not an object per fragment: a buffered fragment lives 20–45 s, so its record outlives two
 * scavenges and is copied into V8's old generation, and each of the next major collections
 * marks it. With an object (and two boxed numbers: `receivedAtMs` and `captureTimeMs` are no
 * small integers) that was three objects per fragment, for every fragment of every stream.
 * Rows in one array cost nothing per fragment; the array grows by doubling and is kept (a
 * 1 fps stream's 20–45 rows, 5 fps's 100–250: 64 bytes each). Measured (issue 10; loadgen,
 * 1,000 Sentinels at 1 fps, 20 proctors, server under `taskset -c 0`, V8's `--trace-gc-nvp`
 * over 55 s of steady state): promoted per scavenge 383 kB, against 497 kB in two runs with an
 * object per fragment (scavenges about one a second, 7–10 ms each: the server's most frequent
 * pauses).
 *
 * Rows are numbered from 0 for the first row ever pushed (absolute numbers: a row keeps its
 * number when older rows are dropped). Every field is a double: sequence numbers and 90 kHz
 * tick counts are whole numbers below 2^53, exact in a double.
 */
export class FragmentTable {
  private rows: Float64Array;
  /** Row slot (0..capacity-1) of the oldest row. */
  private head = 0;
  private count = 0;
  /** Absolute number of the oldest row. */
  private base = 0;

  /** @param initialRows room for this many rows before the first growth (a whole number ≥ 1) */
  constructor(initialRows = 64) {
    if (!Number.isInteger(initialRows) || initialRows < 1) throw new TypeError('initialRows must be a whole number >= 1');
    this.rows = new Float64Array(initialRows * FIELDS);
  }

  /** Absolute number of the oldest row (of the next one pushed when empty). */
  get first(): number {
    return this.base;
  }

  /** Absolute number one past the newest row. */
  get end(): number {
    return this.base + this.count;
  }

  get length(): number {
    return this.count;
  }

  /**
   * Appends a row.
   * @param captureTimeMs `prft` capture time, ms since the Unix epoch, or null
   * @returns its absolute number
   */
  push(sequence: number, join: boolean, decodeTime: number, duration: number, captureTimeMs: number | null, receivedAtMs: number, offset: number, bytes: number): number {
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    const at = ((this.head + this.count) % this.capacity) * FIELDS;
    const r = this.rows;
    r[at + SEQUENCE] = sequence;
    r[at + JOIN] = join ? 1 : 0;
    r[at + DECODE_TIME] = decodeTime;
    r[at + DURATION] = duration;
    r[at + CAPTURE_TIME] = captureTimeMs ?? Number.NaN;
    r[at + RECEIVED_AT] = receivedAtMs;
    r[at + OFFSET] = offset;
    r[at + BYTES] = bytes;
    return this.base + this.count++;
  }

  /** Message sequence number of row `row` (absolute). */
  sequence(row: number): number {
    return this.rows[this.slot(row) + SEQUENCE]!;
  }

  /** Whether the row's fragment starts with an IDR (a join fragment). */
  join(row: number): boolean {
    return this.rows[this.slot(row) + JOIN] === 1;
  }

  /** `tfdt`, 90 kHz ticks. */
  decodeTime(row: number): number {
    return this.rows[this.slot(row) + DECODE_TIME]!;
  }

  /** Sum of the sample durations, 90 kHz ticks. */
  duration(row: number): number {
    return this.rows[this.slot(row) + DURATION]!;
  }

  /** `prft` capture time, ms since the Unix epoch, or null. */
  captureTimeMs(row: number): number | null {
    const v = this.rows[this.slot(row) + CAPTURE_TIME]!;
    return Number.isNaN(v) ? null : v;
  }

  /** Server wall clock at reception, ms since the Unix epoch. */
  receivedAtMs(row: number): number {
    return this.rows[this.slot(row) + RECEIVED_AT]!;
  }

  /** Where the wire message starts in the stream's chunk ring, bytes (absolute). */
  offset(row: number): number {
    return this.rows[this.slot(row) + OFFSET]!;
  }

  /** Size of the wire message, bytes. */
  bytes(row: number): number {
    return this.rows[this.slot(row) + BYTES]!;
  }

  /**
   * Drops every row older than `row` (absolute; at most {@link end}).
   * @throws RangeError when `row` is outside [first, end]
   */
  dropBefore(row: number): void {
    if (!(row >= this.base && row <= this.end)) throw new RangeError(`row ${row} is outside ${this.base}..${this.end}`);
    const n = row - this.base;
    this.head = (this.head + n) % this.capacity;
    this.count -= n;
    this.base = row;
  }

  /** Drops every row; numbering goes on from {@link end}. */
  clear(): void {
    this.dropBefore(this.end);
  }

  /** Slot of row `row` in `rows`, checked. */
  private slot(row: number): number {
    const i = row - this.base;
    if (!(i >= 0 && i < this.count)) throw new RangeError(`row ${row} is not held (rows ${this.base}..${this.end - 1})`);
    return ((this.head + i) % this.capacity) * FIELDS;
  }

  /** Rows that fit in `rows`. */
  private get capacity(): number {
    return this.rows.length / FIELDS;
  }

  private grow(capacity: number): void {
    const rows = new Float64Array(capacity * FIELDS);
    for (let i = 0; i < this.count; i++) {
      const from = ((this.head + i) % this.capacity) * FIELDS;
      rows.set(this.rows.subarray(from, from + FIELDS), i * FIELDS);
    }
    this.rows = rows;
    this.head = 0;
  }
}

const SEQUENCE = 0;
const JOIN = 1;
const DECODE_TIME = 2;
const DURATION = 3;
const CAPTURE_TIME = 4;
const RECEIVED_AT = 5;
const OFFSET = 6;
const BYTES = 7;
/** Doubles per row. */
const FIELDS = 8;
