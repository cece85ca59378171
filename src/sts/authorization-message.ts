import type { ContextInput, Decision } from '../policy/index.js';
import type { KeyEncryptionKey } from '../sessions/index.js';

/** What a denied request's explanation says; the JSON that DecodeAuthorizationMessage returns. */
export interface AuthorizationExplanation {
  readonly allowed: false;
  readonly explicitDeny: boolean;
  /**
   * Which step refused: `explicit-deny`, the layer that withheld its Allow (`guardrail`, `boundary`,
   * `session`, `identity`, `resource`), `trust` (the role's trust policy), or `request` (the request itself,
   * e.g. an unknown role or a role the IdP's role list excludes).
   */
  readonly deniedBy: string;
  /** fedgate's stable refusal reason (`CallerNotAllowed`, `TrustPolicyDenied`, `UnknownRole`…). */
  readonly reason: string;
  readonly matchedStatements: {
    readonly items: readonly { readonly policy: string; readonly sid?: string; readonly effect: string }[];
  };
  readonly missingContextKeys: readonly string[];
  readonly context: {
    readonly principal: { readonly arn: string };
    readonly action: string;
    readonly resource: string;
    readonly conditions: {
      readonly items: readonly {
        readonly key: string;
        readonly values: { readonly items: readonly { readonly value: string }[] };
      }[];
    };
  };
}

/** The facts of a refusal, as the STS pipeline knows them. */
export interface RefusalFacts {
  readonly reason: string;
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision?: Decision | undefined;
  readonly context?: ContextInput | undefined;
}

const MAX_CONTEXT_KEYS = 64;
const MAX_VALUE_LENGTH = 256;
const MAX_STATEMENTS = 20;
const PREFIX = 'fgam1.';
const AAD = 'fedgate/authorization-message/v1';

/** Builds the explanation of a refusal: the decision's layer, its statements, missing keys and the context. */
export function explainRefusal(facts: RefusalFacts): AuthorizationExplanation {
  const decision = facts.decision;
  const explicitDeny = decision?.decision === 'ExplicitDeny';
  const deniedBy = explicitDeny
    ? 'explicit-deny'
    : (decision?.blockedBy ?? (facts.reason === 'TrustPolicyDenied' ? 'trust' : 'request'));
  const items: { key: string; values: { items: { value: string }[] } }[] = [];
  for (const [key, value] of Object.entries(facts.context ?? {})) {
    if (value === undefined) continue;
    if (items.length >= MAX_CONTEXT_KEYS) break;
    const values = (Array.isArray(value) ? (value as readonly string[]) : [String(value)]).map((v) => ({
      value: v.slice(0, MAX_VALUE_LENGTH),
    }));
    items.push({ key, values: { items: values } });
  }
  return {
    allowed: false,
    explicitDeny,
    deniedBy,
    reason: facts.reason,
    matchedStatements: {
      items: (decision?.matchedStatements ?? []).slice(0, MAX_STATEMENTS).map((s) => ({
        policy: s.policy,
        ...(s.sid === undefined ? {} : { sid: s.sid }),
        effect: s.effect,
      })),
    },
    missingContextKeys: [...(decision?.missingContextKeys ?? [])],
    context: {
      principal: { arn: facts.principal },
      action: facts.action,
      resource: facts.resource,
      conditions: { items },
    },
  };
}

/**
 * Encodes and decodes AWS-style "encoded authorization failure messages": the explanation encrypted with
 * AES-256-GCM under the key-encryption key (purpose `authorization-messages`), so only a fedgate sharing that
 * key can read it, and only for a caller allowed `sts:DecodeAuthorizationMessage`.
 */
export class AuthorizationMessageCodec {
  readonly #kek: KeyEncryptionKey;

  constructor(kek: KeyEncryptionKey) {
    this.#kek = kek;
  }

  /** The opaque, URL-safe message. */
  encode(explanation: AuthorizationExplanation): string {
    const blob = this.#kek.encrypt(JSON.stringify(explanation), AAD);
    return `${PREFIX}${blob.iv}.${blob.ciphertext}.${blob.tag}`;
  }

  /** The explanation's JSON text; `undefined` for anything this gateway did not encode. */
  decode(message: string): string | undefined {
    if (!message.startsWith(PREFIX) || message.length > 65_536) return undefined;
    const [iv, ciphertext, tag, extra] = message.slice(PREFIX.length).split('.');
    if (iv === undefined || ciphertext === undefined || tag === undefined || extra !== undefined)
      return undefined;
    return this.#kek.tryDecrypt({ iv, ciphertext, tag }, AAD);
  }
}
