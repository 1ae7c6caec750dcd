export { loadConfig, describeConfig, defaultDemo, DEV_API_KEY, DEV_JWT_SECRET, type Config } from './load.js';
export { SETTINGS, envName, flagName, type Setting, type SettingName } from './settings.js';
