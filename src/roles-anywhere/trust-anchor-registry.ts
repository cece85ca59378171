import { readFile } from 'node:fs/promises';
import {
  crlSignedBy,
  parseCertificateRevocationList,
  type CertificateRevocationList,
} from './certificate-revocation-list.js';
import type { AnchorTrust } from './certificate-path.js';
import { pemBlocks } from './der-reader.js';
import { parseCertificate, type ParsedCertificate } from './parsed-certificate.js';

/** A trust anchor as configured (`trustAnchors[]`): CA certificates as PEM, CRL sources, refresh interval. */
export interface TrustAnchorSettings {
  readonly id: string;
  readonly certificates: readonly string[];
  /** http(s) URLs or absolute file paths. */
  readonly crls: readonly string[];
  /** Seconds between CRL refreshes. */
  readonly crlRefresh: number;
  readonly enabled: boolean;
}

/** A certificate newly listed by a refreshed CRL: its sessions are to end. */
export interface NewlyRevokedCertificate {
  readonly anchorId: string;
  readonly serialHex: string;
  /** RFC 4514 text of the CRL issuer (the certificate's issuer). */
  readonly issuerDn: string;
}

/** How the registry reaches the outside world; all optional but `onRevoked`. */
export interface TrustAnchorRegistryOptions {
  /** Called for each serial a refreshed CRL adds (not for the first copy of a CRL). */
  readonly onRevoked: (revoked: NewlyRevokedCertificate) => void;
  /** A CRL that could not be loaded or verified: the last good copy stays in force. */
  readonly onCrlError?: (anchorId: string, source: string, error: unknown) => void;
  /** Test seam: fetches a CRL URL. */
  readonly fetchCrl?: (url: string) => Promise<Buffer>;
}

/** One anchor, compiled: parsed certificates and the CRLs in force. */
export interface TrustAnchor extends AnchorTrust {
  readonly id: string;
  readonly enabled: boolean;
  /** True while a configured CRL has never been loaded: its anchor cannot decide revocation yet. */
  readonly awaitingCrl: boolean;
}

/** The most CRL entries acted on per refresh (a larger jump still applies to new sessions at once). */
const MAX_REVOCATIONS_PER_REFRESH = 10_000;
/** The largest CRL fetched or read. */
const MAX_CRL_BYTES = 16 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

interface CrlSlot {
  readonly source: string;
  current: CertificateRevocationList | undefined;
}

interface AnchorState {
  readonly settings: TrustAnchorSettings;
  readonly certificates: readonly ParsedCertificate[];
  readonly slots: readonly CrlSlot[];
}

/**
 * The configured trust anchors with their CRLs, each refreshed on its anchor's interval. A CRL is used only when
 * its signature verifies against a certificate of its anchor (so an intermediate's CRL needs the intermediate
 * in the anchor's bundle); a copy that fails to load or verify leaves the last good one in force. A reload
 * builds a new registry that starts from the previous one's CRLs for the same sources.
 */
export class TrustAnchorRegistry {
  readonly #anchors = new Map<string, AnchorState>();
  readonly #options: TrustAnchorRegistryOptions;
  readonly #timers: NodeJS.Timeout[] = [];
  #closed = false;

  constructor(
    anchors: readonly TrustAnchorSettings[],
    options: TrustAnchorRegistryOptions,
    previous?: TrustAnchorRegistry,
  ) {
    this.#options = options;
    for (const settings of anchors) {
      const certificates = settings.certificates.flatMap((pem) =>
        pemBlocks(pem, 'CERTIFICATE').map((der) => parseCertificate(der)),
      );
      const slots = settings.crls.map((source) => ({
        source,
        current: previous === undefined ? undefined : previous.#crlFor(settings.id, source),
      }));
      this.#anchors.set(settings.id, { settings, certificates, slots });
    }
  }

  /** The anchor with this id, compiled; undefined when none is configured. */
  anchor(id: string): TrustAnchor | undefined {
    const state = this.#anchors.get(id);
    if (state === undefined) return undefined;
    return {
      id,
      enabled: state.settings.enabled,
      certificates: state.certificates,
      crls: state.slots.flatMap((slot) => (slot.current === undefined ? [] : [slot.current])),
      awaitingCrl: state.slots.some((slot) => slot.current === undefined),
    };
  }

  /** Loads every CRL once (awaited), then refreshes each anchor's CRLs on its interval until close(). */
  async start(): Promise<void> {
    await this.refreshAll();
    for (const state of this.#anchors.values()) {
      if (state.slots.length === 0) continue;
      const timer = setInterval(() => {
        void this.#refreshAnchor(state);
      }, state.settings.crlRefresh * 1000);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /** Refreshes every CRL now. */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.#anchors.values()].map((state) => this.#refreshAnchor(state)));
  }

  /** Stops the refresh timers. */
  close(): void {
    this.#closed = true;
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
  }

  #crlFor(anchorId: string, source: string): CertificateRevocationList | undefined {
    return this.#anchors.get(anchorId)?.slots.find((slot) => slot.source === source)?.current;
  }

  async #refreshAnchor(state: AnchorState): Promise<void> {
    for (const slot of state.slots) {
      if (this.#closed) return;
      try {
        const data = await this.#read(slot.source);
        const crl = parseCertificateRevocationList(data);
        if (crl.fingerprint === slot.current?.fingerprint) continue;
        const signer = state.certificates.find(
          (certificate) =>
            certificate.subject.derHex === crl.issuer.derHex &&
            (certificate.keyUsage === undefined || certificate.keyUsage.has('cRLSign')) &&
            crlSignedBy(crl, certificate.publicKey),
        );
        if (signer === undefined)
          throw new Error('the CRL is not signed by a certificate of its trust anchor');
        if (slot.current !== undefined && crl.thisUpdate < slot.current.thisUpdate)
          throw new Error('the CRL is older than the one in force');
        const before = slot.current;
        slot.current = crl;
        if (before !== undefined) this.#announce(state.settings.id, before, crl);
      } catch (error) {
        this.#options.onCrlError?.(state.settings.id, slot.source, error);
      }
    }
  }

  #announce(anchorId: string, before: CertificateRevocationList, after: CertificateRevocationList): void {
    let count = 0;
    for (const serialHex of after.revokedSerials) {
      if (before.revokedSerials.has(serialHex) && before.issuer.derHex === after.issuer.derHex) continue;
      if (count++ >= MAX_REVOCATIONS_PER_REFRESH) break;
      this.#options.onRevoked({ anchorId, serialHex, issuerDn: after.issuer.text });
    }
  }

  async #read(source: string): Promise<Buffer> {
    if (/^https?:\/\//i.test(source)) {
      if (this.#options.fetchCrl !== undefined) return this.#options.fetchCrl(source);
      const response = await fetch(source, {
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
        redirect: 'error',
      });
      if (!response.ok) throw new Error(`CRL fetch answered ${response.status}`);
      const length = Number(response.headers.get('content-length') ?? '0');
      if (length > MAX_CRL_BYTES) throw new Error('the CRL is too large');
      const body = Buffer.from(await response.arrayBuffer());
      if (body.length > MAX_CRL_BYTES) throw new Error('the CRL is too large');
      return body;
    }
    const body = await readFile(source);
    if (body.length > MAX_CRL_BYTES) throw new Error('the CRL is too large');
    return body;
  }
}
