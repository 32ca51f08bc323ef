/** What one benchmark module reports; written as-is to bench/results/<name>.json. */
export interface BenchReport {
  readonly name: string;
  /** The headline ratio (higher or lower is better as `ratioMeaning` says), measured in this one run. */
  readonly ratio: number;
  readonly ratioMeaning: string;
  readonly target?: string;
  readonly measuredAt: string;
  readonly node: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface BenchModule {
  readonly name: string;
  run(): Promise<Omit<BenchReport, 'name' | 'measuredAt' | 'node'>>;
}
