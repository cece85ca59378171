/**
 * The refusal catalogues, one per domain, keyed by domain. Each domain registers its own catalogue beside the
 * code that refuses (declaration merging), so `errors/` imports no domain and `RefusalReason` is their union:
 *
 * ```ts
 * declare module '../../errors/refusal-reason.js' {
 *   interface RefusalCatalogues {
 *     saml: SamlRejectionReason;
 *   }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by each domain through declaration merging
export interface RefusalCatalogues {}

/** A stable refusal reason from one of the domain catalogues (`weak-algorithm`, `TrustPolicyDenied`…). */
export type RefusalReason = RefusalCatalogues[keyof RefusalCatalogues];
