// The public API of @suanli/backends: one Backend implementation per cluster manager.
export { SimBackend, type SimBackendOptions } from './sim/sim-backend.ts';
export { SlurmBackend, type SlurmBackendOptions, slurmJobName } from './slurm/slurm-backend.ts';
