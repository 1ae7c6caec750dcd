export { createTokenVerifier, signToken, type JwtOptions, type TokenVerifier } from './tokens.js';
export { apiKeyMatches, bearerToken, readCookie, tokenFrom } from './credentials.js';
export { jwtAuthenticator } from './authenticator.js';
export { requireApiKey, requireReader, requireUser, type AuthRequest, type UserSource } from './request-user.js';
