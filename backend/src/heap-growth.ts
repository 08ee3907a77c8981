/**
 * Sets V8's old-generation growing factor on one CPU ({@link heapGrowthFlags}, with its
 * measurements, in gc-threads.ts). Imported by main.ts before the application is built, so
 * the limits V8 computes while the server starts already use it.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { heapGrowthFlags } from './gc-threads';

/** The flags set, for the start-up log (empty: V8's defaults). */
export const appliedHeapGrowthFlags: readonly string[] = heapGrowthFlags(availableParallelism(), process.execArgv);
for (const flag of appliedHeapGrowthFlags) setFlagsFromString(flag);
