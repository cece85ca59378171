import { describe, expect, it } from 'vitest';
import { credentialOf } from '../../../src/authorizer/request-credential.js';

describe('the session credential of a request', () => {
  it('Authorization: Bearer first, case-insensitive scheme', () => {
    expect(credentialOf({ authorization: 'bearer abc.def.ghi', cookie: 'fedgate_session=other' })).toBe(
      'abc.def.ghi',
    );
  });
  it('the fedgate_session cookie otherwise, not a cookie whose name merely ends the same', () => {
    expect(credentialOf({ cookie: 'x_fedgate_session=no; fedgate_session=yes' })).toBe('yes');
    expect(credentialOf({ cookie: 'x_fedgate_session=no' })).toBeUndefined();
  });
  it('another scheme is no credential', () => {
    expect(credentialOf({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
  });
  it('an empty or oversized bearer is present but unusable', () => {
    expect(credentialOf({ authorization: 'Bearer ' })).toBe('');
    expect(credentialOf({ authorization: `Bearer ${'a'.repeat(9000)}` })).toBe('');
  });
});
