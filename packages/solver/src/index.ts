// The public API of @suanli/solver: LP/MIP solvers for the engine's batch optimizer.
export { loadHighsSolver } from './highs-solver.ts';
