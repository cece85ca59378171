import { NAME_PATTERN } from '../catalog/names.js';
import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { parseDuration, formatDuration } from './parse-duration.js';
import { policyDocumentSchema } from './policy-document-schema.js';

/*
 * `trustAnchors[]` and `profiles[]`: X.509 workload sessions in the manner of IAM Roles Anywhere
 * (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/introduction.html). Cross-references (profile roles
 * and managed policies) are checked in check-config-rules.ts.
 */

const ID_PATTERN = NAME_PATTERN;
const idSchema = z.string().regex(ID_PATTERN, 'must match [A-Za-z0-9+=,.@_-]{1,64}');

function seconds(bounds: { min: number; max: number }) {
  return z
    .union([z.number(), z.string()], { error: 'must be a duration: seconds (3600) or 15m, 1h' })
    .transform((value, ctx) => {
      try {
        return parseDuration(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message, input: value });
        return z.NEVER;
      }
    })
    .refine((value) => value >= bounds.min && value <= bounds.max, {
      message: `must be between ${formatDuration(bounds.min)} and ${formatDuration(bounds.max)}`,
    });
}

function flag() {
  return z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());
}

/** A PEM bundle (one string, `{file}` allowed) or a list of PEM strings → the PEM of each CA certificate. */
const caBundleSchema = z
  .union([z.string(), z.array(z.string()).min(1)], {
    error: 'must be a PEM bundle or a list of PEM certificates',
  })
  .transform((value, ctx) => {
    const text = Array.isArray(value) ? value.join('\n') : value;
    const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
      (match) => `${match[0]}\n`,
    );
    if (blocks.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'holds no PEM certificate' });
      return z.NEVER;
    }
    blocks.forEach((pem, index) => {
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(pem);
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: `certificate ${index + 1} is not a valid X.509 certificate`,
        });
        return;
      }
      if (!certificate.ca) {
        ctx.addIssue({ code: 'custom', message: `certificate ${index + 1} is not a CA certificate` });
      }
    });
    return blocks;
  });

/** A CRL source: an http(s) URL, or a file path (relative to the configuration file). */
const crlSourceSchema = z
  .string()
  .min(1, 'must be a file path or an http(s) URL')
  .refine((value) => {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return true;
    return /^https?:\/\//i.test(value) && URL.canParse(value);
  }, 'must be a file path or an http(s) URL');

/** One trust anchor: the CAs whose certificates may open sessions, and their revocation lists. */
export const trustAnchorSchema = z.strictObject({
  id: idSchema,
  certificates: caBundleSchema,
  crls: z.array(crlSourceSchema).max(16).default([]),
  crlRefresh: seconds({ min: 1, max: 7 * 86_400 }).default(3600),
  enabled: flag().default(true),
});

const RDN_SPECIFIER = /^(\*|[A-Za-z][A-Za-z0-9]{0,59})$/;
const SAN_SPECIFIER = /^(DNS|URI|Name\/(\*|[A-Za-z][A-Za-z0-9]{0,59}))$/;

/** Which certificate fields become session tags; AWS's default rules when a field is not given. */
const attributeMappingSchema = z
  .strictObject({
    x509Subject: z.array(z.string().regex(RDN_SPECIFIER, 'must be * or an RDN name (CN, OU, O…)')).optional(),
    x509Issuer: z.array(z.string().regex(RDN_SPECIFIER, 'must be * or an RDN name (CN, OU, O…)')).optional(),
    x509SAN: z.array(z.string().regex(SAN_SPECIFIER, 'must be DNS, URI, Name/* or Name/<RDN>')).optional(),
  })
  .default({})
  .transform((mapping) => ({
    x509Subject: mapping.x509Subject ?? ['*'],
    x509Issuer: mapping.x509Issuer ?? ['*'],
    x509SAN: mapping.x509SAN ?? ['DNS', 'URI', 'Name/*'],
  }));

/** One profile: which roles certificates may assume through it, for how long, narrowed by which policies. */
export const profileSchema = z.strictObject({
  id: idSchema,
  roles: z.array(idSchema).min(1, 'a profile names at least one role').max(250),
  durationSeconds: seconds({ min: 900, max: 12 * 3600 }).default(3600),
  sessionPolicy: policyDocumentSchema.optional(),
  managedPolicies: z.array(idSchema).max(10, 'at most 10 managed policies').default([]),
  requireInstanceProperties: flag().default(false),
  acceptRoleSessionName: flag().default(false),
  attributeMapping: attributeMappingSchema,
  enabled: flag().default(true),
});
