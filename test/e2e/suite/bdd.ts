/**
 * Mocha's BDD functions, typed here. Mocha puts them on the global object before it loads each test
 * file, and these wrappers call through at run time. They are typed locally rather than through
 * @types/mocha so that the repository's own type check (which includes test/**) needs no mocha.
 */
export interface TestContext {
  timeout(ms: number): void;
}
type TestFn = (this: TestContext) => Promise<unknown> | void;
interface Bdd {
  describe(title: string, fn: () => void): void;
  it(title: string, fn: TestFn): void;
  before(fn: TestFn): void;
  after(fn: TestFn): void;
}
const bdd = (): Bdd => globalThis as unknown as Bdd;

export const describe = (title: string, fn: () => void): void => bdd().describe(title, fn);
export const it = (title: string, fn: TestFn): void => bdd().it(title, fn);
export const before = (fn: TestFn): void => bdd().before(fn);
export const after = (fn: TestFn): void => bdd().after(fn);
