/**
 * `@vigil/api`: the REST resources of the control API and the seat-list CSV rules, defined
 * once for the server and the proctor portal (pure TypeScript, no DOM or Node APIs).
 */
export * from './resources';
export * from './audit-actions';
export * from './seat-csv';
