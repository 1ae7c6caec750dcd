export { loadConfig, describeConfig } from './load.js';
export { DEFAULTS, DEV_API_KEY, DEV_JWT_SECRET, completeConfig, configFromSettings, defaultDemo, type Config } from './defaults.js';
export { SETTINGS, envName, flagName, type Setting, type SettingName } from './settings.js';
