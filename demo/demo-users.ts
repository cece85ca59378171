/** A person of the demo: signs in at either demo IdP with this username and password. */
export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly email: string;
  readonly name: string;
  readonly groups: readonly string[];
  readonly team: string;
  /** Whether the demo IdPs say a second factor was used. */
  readonly mfa: boolean;
  readonly story: string;
}

/** The demo's people; the example configuration's trust policies decide which roles each may assume. */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    username: 'alice',
    password: 'alice-demo-password',
    email: 'alice@example.com',
    name: 'Alice Engineer',
    groups: ['developers', 'payments'],
    team: 'payments',
    mfa: true,
    story: 'engineer with MFA: one role (Developer), assumed at once',
  },
  {
    username: 'carol',
    password: 'carol-demo-password',
    email: 'carol@example.com',
    name: 'Carol Lead',
    groups: ['developers', 'auditors'],
    team: 'payments',
    mfa: true,
    story: 'lead in two groups: picks Developer or Auditor',
  },
  {
    username: 'erin',
    password: 'erin-demo-password',
    email: 'erin@example.com',
    name: 'Erin Developer',
    groups: ['developers', 'payments'],
    team: 'payments',
    mfa: false,
    story: 'engineer without MFA: Developer, but the MFA guardrail denies her deletes',
  },
  {
    username: 'bob',
    password: 'bob-demo-password',
    email: 'bob@example.com',
    name: 'Bob Auditor',
    groups: ['auditors'],
    team: 'audit',
    mfa: false,
    story: 'auditor without MFA: Auditor only',
  },
  {
    username: 'dave',
    password: 'dave-demo-password',
    email: 'dave@example.com',
    name: 'Dave Contractor',
    groups: ['contractors'],
    team: 'external',
    mfa: false,
    story: 'contractor: no role trusts him, so nothing is issued',
  },
];
