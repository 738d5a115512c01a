import type { RequestHandler } from "express";
import { jwtVerify } from "jose";
import { z } from "zod";
import { HttpError } from "./errors.ts";
import { principalFor, Role, type ApiKeyResolver, type Caller } from "./apiKeys.ts";

declare module "express-serve-static-core" {
  interface Request {
    caller?: Caller;
  }
}

const JwtClaims = z.object({
  sub: z.string().min(1).max(200),
  role: Role,
  customer_id: z.string().min(1).max(200).optional(),
  store_id: z.string().min(1).max(200).optional(),
});

export interface AuthOptions {
  keys: ApiKeyResolver;
  jwtSecret?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
}

const unauthorized = (message: string) => new HttpError(401, "unauthorized", message);

/** Verifies an HS256 JWT carrying the same claims as an API key (role, customer_id, store_id). */
async function callerFromJwt(token: string, opts: AuthOptions): Promise<Caller> {
  if (!opts.jwtSecret) throw unauthorized("JWT bearer tokens are not enabled on this server (set AISLE_JWT_SECRET).");
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(opts.jwtSecret), {
      algorithms: ["HS256"],
      issuer: opts.jwtIssuer,
      audience: opts.jwtAudience,
    }));
  } catch (err) {
    throw unauthorized(`Invalid token: ${(err as Error).message}`);
  }
  const claims = JwtClaims.safeParse(payload);
  if (!claims.success) throw unauthorized("Token claims must include sub and role (customer needs customer_id, associate needs store_id).");
  const c = claims.data;
  if (c.role === "customer" && !c.customer_id) throw unauthorized("A customer token needs a customer_id claim.");
  if (c.role === "associate" && !c.store_id) throw unauthorized("An associate token needs a store_id claim.");
  const credential = `jwt:${c.sub}`;
  return {
    role: c.role,
    ...(c.role === "customer" ? { customer_id: c.customer_id } : {}),
    ...(c.store_id ? { store_id: c.store_id } : {}),
    principal: principalFor(c, credential),
    credential,
  };
}

/**
 * Establishes `req.caller` from `x-api-key` (what the LangGraph SDK sends) or
 * `Authorization: Bearer <api key | JWT>`; 401 JSON when missing or invalid.
 */
export function authenticate(opts: AuthOptions): RequestHandler {
  return async (req, _res, next) => {
    try {
      const header = req.headers["x-api-key"];
      const apiKey = Array.isArray(header) ? header[0] : header;
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "")?.[1]?.trim();
      const credential = apiKey?.trim() || bearer;
      if (!credential) throw unauthorized("Missing credentials: send an API key in the x-api-key header or Authorization: Bearer.");
      if (credential.split(".").length === 3 && !credential.startsWith("aisle_")) {
        req.caller = await callerFromJwt(credential, opts);
      } else {
        const caller = await opts.keys.resolve(credential);
        if (!caller) throw unauthorized("Invalid or revoked API key.");
        req.caller = caller;
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}

export function requireCaller(req: { caller?: Caller }): Caller {
  if (!req.caller) throw unauthorized("Not authenticated.");
  return req.caller;
}
