/**
 * '@cnn/models/node': the parts that need Node's file system (fs, pngjs), kept out of the main entry so browser
 * bundles never see them. Shared barrel: append export lines only.
 */
export * from './data/node.js';
export * from './node-io.js';
export * from './checkpoint-io.js';
