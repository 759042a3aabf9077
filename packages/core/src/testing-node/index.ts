/**
 * @blueclerk/core/testing/node - Node-only test helpers: a real-HTTP OAuth token server and a multi-process
 * refresh harness that spawns worker processes. Import from test files only.
 */
export {};
