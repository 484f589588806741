/** Credit's capabilities (profiles grant them by name; administrators have all). */
export const OVERRIDE_CREDIT_LIMIT = 'credit.override_limit';
export const RELEASE_CREDIT_HOLDS = 'credit.release_holds';
export const RECOMPUTE_CREDIT = 'credit.recompute';

export const creditCapabilities = [
  { name: OVERRIDE_CREDIT_LIMIT, label: 'Override credit limits', description: "Set or clear an account's credit limit override, with a reason" },
  { name: RELEASE_CREDIT_HOLDS, label: 'Release credit holds', description: 'Release orders held because they would take an account over its credit limit' },
  { name: RECOMPUTE_CREDIT, label: 'Recompute all credit limits', description: 'Run the nightly credit limit computation for every account now' },
];
