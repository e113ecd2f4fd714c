/** The release version, reported in SARIF and reports; a test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
