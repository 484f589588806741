import type { FastifyInstance } from "fastify";
import type { Platform } from "../../../platform/kernel.ts";
export function registerReportRoutes(_app: FastifyInstance, _platform: Platform): void {}
