import type { EncryptedBlob } from './key-encryption.js';

/**
 * A role session as kept in the store, keyed by its id (= the token's `jti`). JSON-serialisable.
 * `secretAccessKey` is the secret encrypted under FEDGATE_KEY_ENCRYPTION_KEY (so SigV4 signatures can be
 * verified); render a session to a client without it.
 */
export interface RoleSession {
  readonly id: string;
  readonly roleName: string;
  /** `arn:<partition>:iam::<account>:role/<roleName>` */
  readonly roleArn: string;
  /** `arn:<partition>:sts::<account>:assumed-role/<roleName>/<sessionName>` */
  readonly principalArn: string;
  readonly sessionName: string;
  /** The IdP the identity came from; chaining keeps the original. */
  readonly provider: string;
  /** The federated subject (`fsub`). */
  readonly subject: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
  readonly sourceIdentity?: string;
  readonly mfa: boolean;
  readonly amr: readonly string[];
  /** Epoch seconds of the IdP authentication (aws:MultiFactorAuthAge). */
  readonly authTime?: number;
  /** 0 for a direct session, +1 per AssumeRole hop. */
  readonly chain: number;
  /** Session policy documents (inline Policy and resolved PolicyArns); may be empty. */
  readonly sessionPolicies: readonly unknown[];
  readonly hasSessionPolicy: boolean;
  /** `fedgate` or an exchanged audience. */
  readonly audience: string;
  /** RFC 8693 `act` claim. */
  readonly actor?: Readonly<Record<string, unknown>>;
  /** Space-separated scopes of an exchanged token (RFC 8693 §4.2, the `scope` claim). */
  readonly scope?: string;
  /** The client an exchanged token was issued to (RFC 9068 `client_id`). */
  readonly clientId?: string;
  readonly portalSessionId?: string;
  readonly parentSessionId?: string;
  /**
   * Every session this one derives from (chaining, token exchange, delegation), transitively: revoking any of
   * them revokes this one, and this one never outlives any of them. Absent for a session minted from an IdP.
   */
  readonly ancestors?: readonly SessionAncestor[];
  /** `FSIA` + 16 base32 characters. */
  readonly accessKeyId: string;
  /** The secret access key, AES-256-GCM encrypted and bound to this record; absent for exchanged tokens. */
  readonly secretAccessKey?: EncryptedBlob;
  /** Epoch seconds. */
  readonly issuedAt: number;
  /** Epoch seconds; the record's TTL ends here too. */
  readonly expiresAt: number;
}

/** What a derived session keeps of each session it derives from: enough to check that one's revocation. */
export interface SessionAncestor {
  readonly id: string;
  readonly roleName: string;
  readonly provider: string;
  readonly subject: string;
  /** Epoch seconds (role revocations cover sessions issued before a time). */
  readonly issuedAt: number;
}

/** What SessionService.issue derives itself; the caller supplies everything else plus the duration. */
export type RoleSessionInput = Omit<
  RoleSession,
  | 'id'
  | 'accessKeyId'
  | 'secretAccessKey'
  | 'issuedAt'
  | 'expiresAt'
  | 'principalArn'
  | 'roleArn'
  | 'ancestors'
> & {
  readonly durationSeconds: number;
  /**
   * The live sessions the new one derives from: the caller of AssumeRole, the subject and the actor of a token
   * exchange. The new session is capped at the earliest of their expiries and revoked with any of them.
   */
  readonly derivedFrom?: readonly RoleSession[];
};

/** A freshly issued credential: the only moment the secret access key exists in plaintext. */
export interface IssuedCredential {
  /** The signed session credential (the AWS-style `SessionToken`). */
  readonly token: string;
  readonly session: RoleSession;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly expiration: Date;
  /** Token size as a percentage of the 4 KB budget, like AWS's `PackedPolicySize`. */
  readonly packedPolicySize: number;
}
