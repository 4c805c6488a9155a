export { EsclDevice, DEFAULT_ESCL_TUNING, type EsclTuning } from './escl-device';
export { parseEsclAddress, UntrustedCertificateError } from './http';
