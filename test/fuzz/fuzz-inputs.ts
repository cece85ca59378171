/** Arbitraries and mutations shared by the fuzz properties: hostile strings, XML, JWT-shaped and mutated tokens. */
import fc from 'fast-check';

/** How many runs each property gets: bounded so that the whole folder stays well under a minute. */
export const FUZZ_RUNS = Number(process.env['FUZZ_RUNS'] ?? 150);

/** fast-check parameters of every property; FUZZ_SEED replays a reported failure. */
export function fuzzParameters(numRuns = FUZZ_RUNS): fc.Parameters<unknown> {
  const seed = process.env['FUZZ_SEED'];
  return { numRuns, ...(seed === undefined ? {} : { seed: Number(seed) }) };
}

const HEADER_SAFE = fc.constantFrom(
  ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=:;,"\'{}[]()<>!?#$%&*@\\ ',
);

/** A string that can travel in an HTTP header value (printable ASCII). */
export const headerSafeString = fc.string({ unit: HEADER_SAFE, maxLength: 300 });

const BASE64URL = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');

/** A base64url segment: random characters, or the encoding of random bytes or random JSON. */
export const base64UrlSegment = fc.oneof(
  fc.string({ unit: BASE64URL, maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
  fc
    .jsonValue({ maxDepth: 3 })
    .map((value) => Buffer.from(JSON.stringify(value) ?? 'null').toString('base64url')),
  jwtHeaderLike().map((header) => Buffer.from(JSON.stringify(header)).toString('base64url')),
);

function jwtHeaderLike(): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    {
      alg: fc.constantFrom('none', 'None', 'HS256', 'RS256', 'ES256', 'EdDSA', 'PS256', 'ES512', ''),
      typ: fc.constantFrom('JWT', 'fedgate-session+jwt', 'at+jwt', 'JOSE'),
      kid: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('../../etc/passwd'), fc.integer()),
      crit: fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
      jku: fc.constant('http://127.0.0.1:1/jwks'),
      b64: fc.boolean(),
    },
    { requiredKeys: ['alg'] },
  );
}

/** A three-segment compact-JWS-shaped string. */
export const threeSegmentToken = fc
  .tuple(base64UrlSegment, base64UrlSegment, base64UrlSegment)
  .map(([header, payload, signature]) => `${header}.${payload}.${signature}`);

/** Random strings, JWT-shaped strings, and strings built from token characters. */
export const hostileTokenString = fc.oneof(
  headerSafeString,
  threeSegmentToken,
  fc.array(base64UrlSegment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
);

/**
 * A mutation of a valid compact JWS that changes what the token says or how it is signed (never a no-op and
 * never a change of only the base64url padding bits, which decode to the same bytes).
 */
export type TokenMutation = (token: string) => string;

function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

function decodeJson(segment: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function flipByte(segment: string, index: number, mask: number): string {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.length === 0) return 'AA';
  const at = index % bytes.length;
  bytes[at] = (bytes[at] ?? 0) ^ (mask === 0 ? 1 : mask);
  return bytes.toString('base64url');
}

/** Mutations of a valid token, each changing its meaning; unsigned or re-signed-with-nothing variants included. */
export const tokenMutation: fc.Arbitrary<TokenMutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([index, mask]): TokenMutation => (token) => {
    const [h, p, s] = segments(token);
    return `${h}.${p}.${flipByte(s, index, mask)}`;
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([index, mask]): TokenMutation => (token) => {
    const [h, p, s] = segments(token);
    return `${h}.${flipByte(p, index, mask)}.${s}`;
  }),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([index, mask]): TokenMutation => (token) => {
    const [h, p, s] = segments(token);
    return `${flipByte(h, index, mask)}.${p}.${s}`;
  }),
  fc.constantFrom<TokenMutation>(
    (token) => {
      const [h, p] = segments(token);
      return `${encodeJson({ ...decodeJson(h), alg: 'none' })}.${p}.`;
    },
    (token) => {
      const [, p] = segments(token);
      return `${encodeJson({ alg: 'none', typ: 'JWT' })}.${p}.`;
    },
    (token) => {
      const [h, p, s] = segments(token);
      return `${encodeJson({ ...decodeJson(h), alg: 'HS256' })}.${p}.${s}`;
    },
    (token) => {
      const [h, p] = segments(token);
      return `${h}.${p}.`;
    },
    (token) => {
      const [h, p] = segments(token);
      return `${h}.${p}`;
    },
    (token) => {
      const [h, p, s] = segments(token);
      return `${p}.${h}.${s}`;
    },
    (token) => `${token}.${segments(token)[2]}`,
    (token) => token.slice(0, Math.floor(token.length / 2)),
    (token) => token.toUpperCase(),
  ),
  fc
    .tuple(
      fc.constantFrom(
        'sub',
        'aud',
        'iss',
        'exp',
        'nbf',
        'iat',
        'jti',
        'role',
        'tags',
        'chain',
        'act',
        'azp',
        'typ',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .map(([claim, value]): TokenMutation => (token) => {
      const [h, p, s] = segments(token);
      const claims = decodeJson(p);
      const changed = JSON.stringify(claims[claim]) === JSON.stringify(value) ? `${String(value)}x` : value;
      return `${h}.${encodeJson({ ...claims, [claim]: changed })}.${s}`;
    }),
  fc
    .tuple(fc.constantFrom('kid', 'typ', 'alg', 'jwk', 'x5u', 'crit'), fc.jsonValue({ maxDepth: 2 }))
    .map(([name, value]): TokenMutation => (token) => {
      const [h, p, s] = segments(token);
      const header = decodeJson(h);
      const changed = JSON.stringify(header[name]) === JSON.stringify(value) ? `${String(value)}x` : value;
      return `${encodeJson({ ...header, [name]: changed })}.${p}.${s}`;
    }),
);

/** Applies a mutation; a mutation that happens to return the token unchanged breaks it at the end instead. */
export function mutateToken(token: string, mutation: TokenMutation): string {
  const mutated = mutation(token);
  return mutated === token ? `${token}x` : mutated;
}

const XML_NAME = fc.constantFrom(
  'samlp:Response',
  'saml:Assertion',
  'saml:Issuer',
  'saml:Subject',
  'saml:NameID',
  'saml:Conditions',
  'saml:AttributeStatement',
  'saml:Attribute',
  'saml:AttributeValue',
  'ds:Signature',
  'ds:SignedInfo',
  'ds:Reference',
  'ds:SignatureValue',
  'xenc:EncryptedData',
  'saml:EncryptedAssertion',
  'a',
  'x:y',
);
const XML_ATTRIBUTE = fc.tuple(
  fc.constantFrom(
    'ID',
    'Version',
    'Destination',
    'InResponseTo',
    'URI',
    'xmlns',
    'xmlns:samlp',
    'xmlns:saml',
    'xmlns:ds',
    'Name',
    'Format',
  ),
  fc.oneof(
    fc.constantFrom(
      'urn:oasis:names:tc:SAML:2.0:protocol',
      'urn:oasis:names:tc:SAML:2.0:assertion',
      'http://www.w3.org/2000/09/xmldsig#',
      '2.0',
      '#_a',
      '_a',
    ),
    fc.string({ maxLength: 30 }).map((value) => value.replace(/["<&]/g, '')),
  ),
);

/** Random XML-ish documents: nested SAML-named elements, attributes, text, comments, DTDs and broken markup. */
export const randomXml: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '<!-- c -->',
      '<![CDATA[x]]>',
      '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
      '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
      '&e;',
      '&b;',
      '<?xml version="1.0"?>',
      '</unclosed>',
      '<',
    ),
    fc
      .tuple(XML_NAME, fc.array(XML_ATTRIBUTE, { maxLength: 4 }), fc.array(tie('node'), { maxLength: 4 }))
      .map(
        ([name, attributes, children]) =>
          `<${name}${attributes.map(([k, v]) => ` ${k}="${v}"`).join('')}>${children.join('')}</${name}>`,
      ),
  ),
})).node;

/** A mutation of a signed SAML response's XML that changes signed content, its structure or its encoding. */
export type XmlMutation = (xml: string) => string;

/**
 * Positions inside the signed assertion whose change changes what its signature covers. Left alone: KeyInfo (the
 * embedded certificate is not what fedgate trusts, by design) and namespace declarations, which exclusive
 * canonicalisation drops when unused (`xs` is only used inside attribute values, `xsi:type="xs:string"`).
 */
function signedPositions(xml: string): number[] {
  const assertion = /<saml:Assertion[\s>][\s\S]*<\/saml:Assertion>/.exec(xml);
  const from = assertion?.index ?? 0;
  const to = assertion === null ? xml.length : from + assertion[0].length;
  const skipped = [
    ...xml.matchAll(/<(?:ds:)?KeyInfo[\s>][\s\S]*?<\/(?:ds:)?KeyInfo>/g),
    // A redeclared prefix (`xmlns:saml` again on the assertion) renamed is simply unused.
    ...xml.matchAll(/ xmlns:[A-Za-z]+="[^"]*"/g),
    // Base64 inside SignatureValue/DigestValue is decoded leniently: an insertion of non-base64, or a change to
    // the low bits of the last character before the padding, leaves the same bytes (the named signature tests
    // cover altered signatures and digests).
    ...xml.matchAll(/<ds:(?:SignatureValue|DigestValue)>[^<]*</g),
  ].map((m) => [m.index, m.index + m[0].length] as const);
  const positions: number[] = [];
  // Letters and digits only: a change there changes the canonical bytes.
  for (let i = from; i < to; i++) {
    if (!/[A-Za-z0-9]/.test(xml[i] ?? '')) continue;
    if (skipped.some(([start, end]) => i >= start && i < end)) continue;
    positions.push(i);
  }
  return positions;
}

/** Mutations of a valid response (signed assertion) that must each make it refused. */
export const xmlMutation: fc.Arbitrary<XmlMutation> = fc.oneof(
  fc
    .tuple(fc.nat(), fc.constantFrom(...'ABCXYZabcxyz0189'))
    .map(([index, replacement]): XmlMutation => (xml) => {
      const positions = signedPositions(xml);
      const at = positions[index % positions.length] ?? 0;
      const next = xml[at] === replacement ? (replacement === 'A' ? 'B' : 'A') : replacement;
      return `${xml.slice(0, at)}${next}${xml.slice(at + 1)}`;
    }),
  fc.nat().map(
    (index): XmlMutation =>
      (xml) =>
        xml.slice(0, index % xml.length),
  ),
  fc.tuple(fc.nat(), fc.nat({ max: 200 })).map(([index, length]): XmlMutation => (xml) => {
    const positions = signedPositions(xml);
    const at = positions[index % positions.length] ?? 0;
    return `${xml.slice(0, at)}${xml.slice(at + Math.max(1, length))}`;
  }),
  fc.tuple(fc.nat(), randomXml).map(([index, inserted]): XmlMutation => (xml) => {
    const positions = signedPositions(xml);
    const at = positions[index % positions.length] ?? 0;
    // A comment alone changes nothing: canonicalisation drops it and values are read whole around it (the named
    // SAML tests prove a comment cannot truncate a value), so the response rightly stays valid.
    const inert = inserted === '' || /^(\s*<!--(?:(?!--)[\s\S])*-->\s*)+$/.test(inserted);
    return `${xml.slice(0, at)}${inert ? 'Z' : inserted}${xml.slice(at)}`;
  }),
  fc.constantFrom<XmlMutation>(
    // XSW: a second, unsigned assertion before or after the signed one.
    (xml) =>
      xml.replace(
        /(<saml:Assertion[\s\S]*<\/saml:Assertion>)/,
        (a) =>
          `${a
            .replace(/ID="[^"]+"/, 'ID="_evil"')
            .replace(/alice|bob|carol/g, 'mallory')
            .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')}${a}`,
      ),
    (xml) =>
      xml.replace(
        /(<saml:Assertion[\s\S]*<\/saml:Assertion>)/,
        (a) =>
          `${a}${a
            .replace(/ID="[^"]+"/, 'ID="_evil"')
            .replace(/alice|bob|carol/g, 'mallory')
            .replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')}`,
      ),
    // Signatures removed.
    (xml) => xml.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/g, ''),
    // A comment inside the NameID, and an entity defined by a DTD.
    (xml) => `<!DOCTYPE samlp:Response [<!ENTITY x "mallory">]>${xml.replace(/<\?xml[^>]*\?>/, '')}`,
    (xml) => xml.replace(/(<saml:NameID[^>]*>)([^<]*)/, '$1mallory<!---->$2x'),
    (xml) => xml.replace(/<saml:Conditions[\s\S]*?<\/saml:Conditions>/, ''),
    (xml) => xml.replace(/<saml:Subject>[\s\S]*?<\/saml:Subject>/, ''),
    (xml) =>
      xml
        .replace(/<saml:Assertion/, '<saml:Assertion xmlns:evil="urn:evil" ')
        .replace(/Version="2.0"/g, 'Version="1.1"'),
    (xml) =>
      xml.replace(
        /urn:oasis:names:tc:SAML:2.0:status:Success/,
        'urn:oasis:names:tc:SAML:2.0:status:Requester',
      ),
  ),
);

/** Applies an XML mutation; a no-op breaks the document instead. */
export function mutateXml(xml: string, mutation: XmlMutation): string {
  const mutated = mutation(xml);
  return mutated === xml ? `${xml}<` : mutated;
}

/** Where a mutated document first differs from the original, for failure messages. */
export function describeChange(original: string, mutated: string): string {
  let from = 0;
  while (from < original.length && original[from] === mutated[from]) from++;
  let tail = 0;
  while (
    tail < original.length - from &&
    tail < mutated.length - from &&
    original[original.length - 1 - tail] === mutated[mutated.length - 1 - tail]
  )
    tail++;
  const context = (text: string): string => text.slice(Math.max(0, from - 60), text.length - tail + 20);
  return `at ${from}: …${context(original)}… became …${context(mutated)}…`;
}
