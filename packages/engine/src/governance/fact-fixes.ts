/**
 * How a user supplies a fact a rule could not evaluate: the field of the job spec (or the catalog
 * entry) that gives it. A denial for a missing fact ends with this, so it says how to fix the spec.
 */
export const FACT_FIXES: Readonly<Record<string, string>> = {
  'job.exposure': 'set `exposure:` in the job spec (public-mainland, internal or research)',
  'job.servesSector': 'set `servesSector:` in the job spec (the sector the service serves)',
  'job.labeling': 'set `labeling: true` in the job spec when the labeling middleware is on',
  'job.physicianSignOff': 'set `physicianSignOff: true` in the job spec when a physician signs off outputs',
  'job.model': 'set `model:` in the job spec to a model of the registry (suanli models)',
  'dataset.level':
    'set `level:` on the data set in the job spec (general, important or core), or use a catalog data set',
  'dataset.pi': 'set `pi:` on the data set in the job spec (none, pi or sensitive), or use a catalog data set',
  'dataset.individuals': 'set `individuals:` on the data set in the job spec (how many people it is about)',
  'dataset.sensitiveIndividuals': 'set `sensitiveIndividuals:` on the data set in the job spec',
  'dataset.tags': 'set `tags:` on the data set in the job spec',
  'dataset.checksum': 'set `checksum:` (sha256:…) on the data set in the job spec',
  'tenant.legalEntity':
    "ask the operator to record the tenant's legal entity (unified social credit code) in the network file",
  'tenant.ciio': 'ask the operator to record whether the tenant is a CIIO in the network file',
  'tenant.foreignControlled': 'ask the operator to record whether the tenant is foreign-controlled in the network file',
};
