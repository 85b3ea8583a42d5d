/** A data set and the sites that hold a replica of it. */
export interface Dataset {
  readonly name: string;
  readonly sizeGb: number;
  readonly replicas: readonly string[];
}
