// The vocabulary every part of the configuration shares (its own module, so that the sections defined
// in other files can use it without importing the whole schema).

/** The languages the bot speaks. */
export const LANGS = ['nl', 'fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** The kinds of request the helpdesk distinguishes, plus out of scope. */
export const LABELS = ['question', 'incident', 'change', 'complaint', 'out_of_scope'] as const;
export type Label = (typeof LABELS)[number];
export const IN_SCOPE_LABELS = ['question', 'incident', 'change', 'complaint'] as const;
export type InScopeLabel = (typeof IN_SCOPE_LABELS)[number];

/** Why a request is out of scope (see the helpdesk's own scope rules). */
export const OOS_REASONS = [
  'hardware',
  'os',
  'network',
  'backup',
  'training',
  'onsite',
  'own_modification',
  'other',
] as const;
export type OosReason = (typeof OOS_REASONS)[number];
