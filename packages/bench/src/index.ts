// The public API of @suanli/bench: generators shared with tests.
export { type SyntheticNetworkSpec, syntheticNetwork } from './synthetic-network.ts';
export { syntheticQueue } from './workload.ts';
