// src/cert: key, CSR, self-signed certificate and their files (node-forge + Node crypto), no AWS.
export * from './options.js';
export * from './generate.js';
export * from './files.js';
