export { createPortalFlow, isDeviceVerificationPage, requirePortalCsrfToken } from './portal-flow.js';
export type {
  DeviceCodeAnswer,
  DeviceCodeDecision,
  FinishedSignIn,
  PortalFlow,
  PortalFlowDependencies,
  PortalStanding,
  SignInNextStep,
  VerifiedSignIn,
} from './portal-flow.js';
export { stsPortalFederation } from './portal-federation.js';
export type { PortalCredential, PortalFederation, PortalRequestContext } from './portal-federation.js';
export { PortalSessionStore } from './portal-session-store.js';
export type { PortalSession, PortalSessionRef } from './portal-session-store.js';
export { safeReturnTo } from './return-to.js';
export { PORTAL_SCRIPT } from './portal-script.js';
export {
  confirmSignInPage,
  credentialsPage,
  deviceAnsweredPage,
  deviceVerificationPage,
  errorPage,
  httpErrorPage,
  noRolePage,
  portalBrand,
  renderPortalPage,
  rolesPage,
  signInPage,
} from './portal-pages.js';
export type {
  ActiveSession,
  CredentialsView,
  DeviceRequestView,
  IdentitySummary,
  PortalBrand,
  PortalPage,
  ProviderLink,
  RoleChoice,
} from './portal-pages.js';
export { accessReportPage } from './access-report-page.js';
export type { WhoCanForm } from './access-report-page.js';
export { simulatorPage } from './simulator-page.js';
export type { SimulatorForm, SimulatorNotice } from './simulator-page.js';
