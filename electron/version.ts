import pkg from '../package.json';

export const QUIRE_VERSION: string = pkg.version;
