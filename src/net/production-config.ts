/**
 * Signal's production service: hosts, the pinned TLS root and the public parameters a client needs.
 *
 * Sources (public): Signal-Desktop's config/production.json (chat/storage/CDN hosts, zkgroup server
 * public params, sealed-sender trust root) and libsignal's rust/net/res/signal.cer (Signal's self-signed
 * root CA "Signal Messenger, LLC", valid 2022-01-26 to 2032-01-24, SHA-256
 * DD:B0:F9:2B:B9:5C:8D:6F:D2:02:EA:6E:8C:C5:CC:D1:82:B5:44:F8:CD:69:6F:47:D5:80:65:9D:DC:9D:F6:5A).
 * The second sealed-sender trust root (BUkY…) is the one current server certificates chain to, as used by
 * Signal's other clients. src/net/production-config.test.ts checks that every value parses (the CA's
 * self-signature, libsignal deserialisation of keys and params).
 *
 * How demo mode is kept out of production builds: `selectClientConfig` ignores any supplied config when
 * `packaged` is true (main/ passes Electron's `app.isPackaged`, which no environment variable or argument
 * can change), and `assertProductionConfig` refuses anything but this exact configuration. There is no
 * environment variable or command-line switch that selects the demo network in a packaged build.
 */
import { ValidationError } from '../errors.js';
import { parseClientConfig, type ClientConfig } from './config.js';

const SIGNAL_ROOT_CA_PEM =
  '-----BEGIN CERTIFICATE-----\n' +
  'MIIF2zCCA8OgAwIBAgIUAMHz4g60cIDBpPr1gyZ/JDaaPpcwDQYJKoZIhvcNAQEL\n' +
  'BQAwdTELMAkGA1UEBhMCVVMxEzARBgNVBAgTCkNhbGlmb3JuaWExFjAUBgNVBAcT\n' +
  'DU1vdW50YWluIFZpZXcxHjAcBgNVBAoTFVNpZ25hbCBNZXNzZW5nZXIsIExMQzEZ\n' +
  'MBcGA1UEAxMQU2lnbmFsIE1lc3NlbmdlcjAeFw0yMjAxMjYwMDQ1NTFaFw0zMjAx\n' +
  'MjQwMDQ1NTBaMHUxCzAJBgNVBAYTAlVTMRMwEQYDVQQIEwpDYWxpZm9ybmlhMRYw\n' +
  'FAYDVQQHEw1Nb3VudGFpbiBWaWV3MR4wHAYDVQQKExVTaWduYWwgTWVzc2VuZ2Vy\n' +
  'LCBMTEMxGTAXBgNVBAMTEFNpZ25hbCBNZXNzZW5nZXIwggIiMA0GCSqGSIb3DQEB\n' +
  'AQUAA4ICDwAwggIKAoICAQDEecifxMHHlDhxbERVdErOhGsLO08PUdNkATjZ1kT5\n' +
  '1uPf5JPiRbus9F4J/GgBQ4ANSAjIDZuFY0WOvG/i0qvxthpW70ocp8IjkiWTNiA8\n' +
  '1zQNQdCiWbGDU4B1sLi2o4JgJMweSkQFiyDynqWgHpw+KmvytCzRWnvrrptIfE4G\n' +
  'PxNOsAtXFbVH++8JO42IaKRVlbfpe/lUHbjiYmIpQroZPGPY4Oql8KM3o39ObPnT\n' +
  'o1WoM4moyOOZpU3lV1awftvWBx1sbTBL02sQWfHRxgNVF+Pj0fdDMMFdFJobArrL\n' +
  'VfK2Ua+dYN4pV5XIxzVarSRW73CXqQ+2qloPW/ynpa3gRtYeGWV4jl7eD0PmeHpK\n' +
  'OY78idP4H1jfAv0TAVeKpuB5ZFZ2szcySxrQa8d7FIf0kNJe9gIRjbQ+XrvnN+ZZ\n' +
  'vj6d+8uBJq8LfQaFhlVfI0/aIdggScapR7w8oLpvdflUWqcTLeXVNLVrg15cEDwd\n' +
  'lV8PVscT/KT0bfNzKI80qBq8LyRmauAqP0CDjayYGb2UAabnhefgmRY6aBE5mXxd\n' +
  'byAEzzCS3vDxjeTD8v8nbDq+SD6lJi0i7jgwEfNDhe9XK50baK15Udc8Cr/ZlhGM\n' +
  'jNmWqBd0jIpaZm1rzWA0k4VwXtDwpBXSz8oBFshiXs3FD6jHY2IhOR3ppbyd4qRU\n' +
  'pwIDAQABo2MwYTAOBgNVHQ8BAf8EBAMCAQYwDwYDVR0TAQH/BAUwAwEB/zAdBgNV\n' +
  'HQ4EFgQUtfNLxuXWS9DlgGuMUMNnW7yx83EwHwYDVR0jBBgwFoAUtfNLxuXWS9Dl\n' +
  'gGuMUMNnW7yx83EwDQYJKoZIhvcNAQELBQADggIBABUeiryS0qjykBN75aoHO9bV\n' +
  'PrrX+DSJIB9V2YzkFVyh/io65QJMG8naWVGOSpVRwUwhZVKh3JVp/miPgzTGAo7z\n' +
  'hrDIoXc+ih7orAMb19qol/2Ha8OZLa75LojJNRbZoCR5C+gM8C+spMLjFf9k3JVx\n' +
  'dajhtRUcR0zYhwsBS7qZ5Me0d6gRXD0ZiSbadMMxSw6KfKk3ePmPb9gX+MRTS63c\n' +
  '8mLzVYB/3fe/bkpq4RUwzUHvoZf+SUD7NzSQRQQMfvAHlxk11TVNxScYPtxXDyiy\n' +
  '3Cssl9gWrrWqQ/omuHipoH62J7h8KAYbr6oEIq+Czuenc3eCIBGBBfvCpuFOgckA\n' +
  'XXE4MlBasEU0MO66GrTCgMt9bAmSw3TrRP12+ZUFxYNtqWluRU8JWQ4FCCPcz9pg\n' +
  'MRBOgn4lTxDZG+I47OKNuSRjFEP94cdgxd3H/5BK7WHUz1tAGQ4BgepSXgmjzifF\n' +
  'T5FVTDTl3ZnWUVBXiHYtbOBgLiSIkbqGMCLtrBtFIeQ7RRTb3L+IE9R0UB0cJB3A\n' +
  'Xbf1lVkOcmrdu2h8A32aCwtr5S1fBF1unlG7imPmqJfpOMWa8yIF/KWVm29JAPq8\n' +
  'Lrsybb0z5gg8w7ZblEuB9zOW9M3l60DXuJO6l7g+deV6P96rv2unHS8UlvWiVWDy\n' +
  '9qfgAJizyy3kqM4lOwBH\n' +
  '-----END CERTIFICATE-----\n';

const endpoint = (host: string) => Object.freeze({ host, port: 443 });

export const PRODUCTION_CONFIG: ClientConfig = Object.freeze({
  mode: 'production',
  chat: endpoint('chat.signal.org'),
  storage: endpoint('storage.signal.org'),
  cdn: Object.freeze({
    '0': endpoint('cdn.signal.org'),
    '2': endpoint('cdn2.signal.org'),
    '3': endpoint('cdn3.signal.org'),
  }),
  tlsTrustRootsPem: Object.freeze([SIGNAL_ROOT_CA_PEM]),
  serverPublicParams:
    'AMhf5ywVwITZMsff/eCyudZx9JDmkkkbV6PInzG4p8x3VqVJSFiMvnvlEKWuRob/1eaIetR31IYeAbm0NdOuHH8Qi+Rexi1w' +
    'LlpzIo1gstHWBfZzy1+qHRV5A4TqPp15YzBPm0WSggW6PbSn+F4lf57VCnHF7p8SvzAA2ZZJPYJURt8X7bbg+H3i+PEjH9DX' +
    'ItNEqs2sNcug37xZQDLm7X36nOoGPs54XsEGzPdEV+itQNGUFEjY6X9Uv+Acuks7NpyGvCoKxGwgKgE5XyJ+nNKlyHHOLb6N' +
    '1NuHyBrZrgtY/JYJHRooo5CEqYKBqdFnmbTVGEkCvJKxLnjwKWf+fEPoWeQFj5ObDjcKMZf2Jm2Ae69x+ikU5gBXsRmoF94G' +
    'XTLfN0/vLt98KDPnxwAQL9j5V1jGOY8jQl6MLxEs56cwXN0dqCnImzVH3TZT1cJ8SW1BRX6qIVxEzjsSGx3yxF3suAilPMqG' +
    'Rp4ffyopjMD1JXiKR2RwLKzizUe5e8XyGOy9fplzhw3jVzTRyUZTRSZKkMLWcQ/gv0E4aONNqs4P+NameAZYOD12qRkxosQQ' +
    'P5uux6B2nRyZ7sAV54DgFyLiRcq1FvwKw2EPQdk4HDoePrO/RNUbyNddnM/mMgj4FW65xCoT1LmjrIjsv/Ggdlx46ueczhMg' +
    'tBunx1/w8k8V+l8LVZ8gAT6wkU5J+DPQalQguMg12Jzug3q4TbdHiGCmD9EunCwOmsLuLJkz6EcSYXtrlDEnAM+hicw7ierg' +
    'YLLlMXpfTdGxJCWJmP4zqUFeTTmsmhsjGBt7NiEB/9pFFEB3pSbf4iiUukw63Eo8Aqnf4iwob6X1QviCWuc8t0LUlT9vALgh' +
    '/f2DPVOOmR0RW6bgRvc7DSF20V/omg+YBw==',
  genericServerPublicParams:
    'AByD873dTilmOSG0TjKrvpeaKEsUmIO8Vx9BeMmftwUs9v7ikPwM8P3OHyT0+X3EUMZrSe9VUp26Wai51Q9I8mdk0hX/yo7C' +
    'eFGJyzoOqn8e/i4Ygbn5HoAyXJx5eXfIbqpc0bIxzju4H/HOQeOpt6h742qii5u/cbwOhFZCsMIbElZTaeU+BWMBQiZHIGHT' +
    '5IE0qCordQKZ5iPZom0HeFa8Yq0ShuEyAl0WINBiY6xE3H/9WnvzXBbMuuk//eRxXgzO8ieCeK8FwQNxbfXqZm6Ro1cMhCOF' +
    '3u7xoX83QhpN',
  backupServerPublicParams:
    'AJwNSU55fsFCbgaxGRD11wO1juAs8Yr5GF8FPlGzzvdJJIKH5/4CC7ZJSOe3yL2vturVaRU2Cx0n751Vt8wkj1bozK3CBV1U' +
    'okxV09GWf+hdVImLGjXGYLLhnI1J2TWEe7iWHyb553EEnRb5oxr9n3lUbNAJuRmFM7hrr0Al0F0wrDD4S8lo2mGaXe0MJCOM' +
    '166F8oYRQqpFeEHfiLnxA1O8ZLh7vMdv4g9jI5phpRBTsJ5IjiJrWeP0zdIGHEssUeprDZ9OUJ14m0v61eYJMKsf59Bn+mAT' +
    '2a7YfB+Don9O',
  unidentifiedDeliveryTrustRoots: Object.freeze([
    'BXu6QIKVz5MA8gstzfOgRQGqyLqOwNKHL6INkv3IHWMF',
    'BUkY0I+9+oPgDCn4+Ac6Iu813yvqkDr/ga8DzLxFxuk6',
  ]),
});

/** Throws unless `config` is exactly PRODUCTION_CONFIG (a packaged build must never talk to anything else). */
export function assertProductionConfig(config: ClientConfig): void {
  if (config !== PRODUCTION_CONFIG && JSON.stringify(config) !== JSON.stringify(PRODUCTION_CONFIG)) {
    throw new ValidationError("A production build only talks to Signal's servers.");
  }
}

/**
 * The config to use. A packaged (production) build always gets PRODUCTION_CONFIG, whatever is supplied.
 * A development run uses the supplied demo config (e.g. the JSON written by `npm run demo-server`) when
 * there is one, else production. A supplied config must be a demo one: production is built in.
 */
export function selectClientConfig(options: { packaged: boolean; supplied?: unknown }): ClientConfig {
  if (options.packaged || options.supplied === undefined) return PRODUCTION_CONFIG;
  const parsed = parseClientConfig(options.supplied);
  if (parsed.mode !== 'demo') {
    throw new ValidationError('Only a demo config can be supplied; production is built in.');
  }
  return parsed;
}
