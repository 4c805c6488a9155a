import pkg from '../package.json' with { type: 'json' };

export const QUIRE_VERSION: string = pkg.version;
