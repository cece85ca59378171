import { createMemoryStore } from '../../../src/store/index.js';
import type { Store } from '../../../src/store/index.js';
import { SamlServiceProvider } from '../../../src/identity-providers/saml/index.js';
import type { SamlProviderOptions } from '../../../src/identity-providers/saml/index.js';
import { createTestSamlIdp } from '../../support/saml-idp.js';
import type { TestSamlIdp, TestSamlResponseOptions } from '../../support/saml-idp.js';

/** Fixed test time: 2026-01-15T10:00:00Z. */
export const T0 = Date.UTC(2026, 0, 15, 10, 0, 0);
export const PUBLIC_URL = 'https://sso.fedgate.test';
export const IDP_ENTITY_ID = 'https://idp.example.test/metadata';
/** The browser binding every test login starts with (the value of its SAML binding cookie). */
export const TEST_BROWSER = 'test-browser-binding-0123456789abcdefghijkl';

/** A mutable clock shared by the SP, the store and the IdP. */
export interface TestClock {
  now: () => number;
  advance(ms: number): void;
}

/** A clock starting at T0. */
export function createClock(start = T0): TestClock {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms) };
}

/** Option overrides; `undefined` removes an option. */
export type ProviderOverrides = { [K in keyof SamlProviderOptions]?: SamlProviderOptions[K] | undefined };

/** Resolved provider options as the config loader would build them. */
export function providerOptions(overrides: ProviderOverrides = {}, idp?: TestSamlIdp): SamlProviderOptions {
  const id = overrides.id ?? 'corp-saml';
  const merged = {
    id,
    issuer: IDP_ENTITY_ID,
    entryPoint: idp?.ssoUrl ?? 'https://idp.example.test/sso',
    allowIdpInitiated: false,
    idpCertificates: idp === undefined ? [] : [idp.certificatePem],
    wantAssertionsSigned: true,
    wantResponseSigned: false,
    signAuthnRequests: false,
    subject: 'nameID',
    groups: 'attr:memberOf',
    sessionName: 'attr:email',
    tags: { team: 'attr:department' },
    mfaAuthnContexts: ['https://refeds.org/profile/mfa'],
    sloUrl: idp?.sloUrl ?? 'https://idp.example.test/slo',
    spEntityId: `${PUBLIC_URL}/saml/${id}/metadata`,
    acsUrl: `${PUBLIC_URL}/saml/${id}/acs`,
    sloCallbackUrl: `${PUBLIC_URL}/saml/${id}/slo`,
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined),
  ) as unknown as SamlProviderOptions;
}

/** An IdP, a store and an SP wired together on one clock. */
export interface SamlHarness {
  readonly clock: TestClock;
  readonly store: Store;
  readonly idp: TestSamlIdp;
  readonly sp: SamlServiceProvider;
  readonly options: SamlProviderOptions;
  /** A valid response for the SP; override any field. */
  response(overrides?: Partial<TestSamlResponseOptions>): Promise<string>;
  responseXml(overrides?: Partial<TestSamlResponseOptions>): Promise<string>;
  /** Starts an SP-initiated login and returns the AuthnRequest id. */
  startLogin(relayState?: string): Promise<string>;
}

/** Builds a harness. */
export async function createSamlHarness(overrides: ProviderOverrides = {}): Promise<SamlHarness> {
  const clock = createClock();
  const store = createMemoryStore({ now: clock.now });
  const idp = createTestSamlIdp({ entityId: IDP_ENTITY_ID, now: clock.now });
  const options = providerOptions(overrides, idp);
  const sp = await SamlServiceProvider.create(options, { store, now: clock.now });
  const defaults = (): TestSamlResponseOptions => ({
    destination: options.acsUrl,
    recipient: options.acsUrl,
    audience: options.spEntityId,
    nameId: 'alice@example.com',
    attributes: { email: 'alice@example.com', memberOf: ['engineers', 'oncall'], department: 'payments' },
    sign: 'assertion',
  });
  return {
    clock,
    store,
    idp,
    sp,
    options,
    response: async (o = {}) => idp.createResponse({ ...defaults(), ...o }),
    responseXml: async (o = {}) => idp.createResponseXml({ ...defaults(), ...o }),
    async startLogin(relayState = 'rs-1') {
      return idp.readRedirectRequest(await sp.beginLogin(relayState, TEST_BROWSER).then((start) => start.url))
        .id;
    },
  };
}
