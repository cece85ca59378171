export { PolicyCatalog } from './policy-catalog.js';
export { authorizeSession } from './authorize-session.js';
export type { SessionRequest } from './authorize-session.js';
export type { ResourceDescription, RoleDefinition } from './role-definition.js';
export { rolePolicyDocuments } from './role-policy-documents.js';
export { simulatedSession } from './simulated-session.js';
