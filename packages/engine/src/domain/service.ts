/** Where a service's users are, and how many requests a second they send by hour of the day (UTC+8, 24 values). */
export interface DemandRegion {
  /** A site of the network standing for the users near it (a demand centre, a city). */
  readonly regionId: string;
  readonly requestsPerS: readonly number[];
}

/** What a serving job's spec says of its service (the engine's `ServiceSpec` without the job's own fields). */
export interface ServiceSection {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly guaranteed: number;
  readonly targetPerReplica: number;
  readonly sloMs: number;
  /** Time to first token on an idle replica (prefill), measured or from the accelerator table. */
  readonly inferenceMs: number;
  readonly demand: readonly DemandRegion[];
  /** Tokens a request asks for on average (prompt and answer): costs per million tokens follow. */
  readonly tokensPerRequest?: number;
}
