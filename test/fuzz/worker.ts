/**
 * Fuzz worker thread: generates case `index` of a target from its seed number (so nothing but
 * three numbers crosses the thread boundary) and runs it in its own scratch folder. The pool
 * watches it from outside: a case that hangs or eats memory gets this thread terminated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TARGETS, makeCase } from './targets';
import { runCase } from './case';

const dir: string = workerData.dir;

parentPort!.on('message', (job: { target: string; seedNo: number; index: number }) => {
  const target = TARGETS.find((t) => t.id === job.target)!;
  const c = makeCase(target, job.seedNo, job.index);
  // The watchdog times the reader, not the making of the case (a 64 MiB member mutated as JSON
  // takes seconds to make): say when the case is ready.
  parentPort!.postMessage({ started: true });
  const r = runCase(dir, c);
  parentPort!.postMessage({ ...job, ...r, seed: c.seed, desc: c.desc });
});
