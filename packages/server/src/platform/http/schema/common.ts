import { Type as T, type TSchema } from '@sinclair/typebox';

/**
 * Schemas shared by the fixed routes (TypeBox = JSON Schema): routes declare params, query, body
 * and answers once; Fastify validates input with them (validator.ts), the OpenAPI document
 * publishes them (openapi.ts) and the test servers check every answer against them
 * (response-check.ts). The web app's API types are generated from that document.
 */
export { T };

export const Uuid = T.String({ format: 'uuid' });

/** An id in a path: any malformed id answers 404 like a missing one (nothing about ids is revealed). */
export const PathId = T.String({ maxLength: 64, description: 'An id (a malformed one answers 404, like a missing one)' });

export const FieldErrorSchema = T.Object({
  field: T.String({ description: 'The input path the error is about (`email`, `records[3].name`, `` for the whole body)' }),
  code: T.String({ description: 'Stable machine-readable code' }),
  message: T.String(),
});

/** RFC 9457 problem details, as every error is answered (problem.ts). */
export const ProblemSchema = T.Object(
  {
    type: T.String(),
    title: T.String(),
    status: T.Integer(),
    code: T.String(),
    detail: T.String(),
    instance: T.Optional(T.String()),
    errors: T.Array(FieldErrorSchema),
  },
  { additionalProperties: true, description: 'A problem (RFC 9457)' },
);

/** A record as the record API answers it: fields depend on the object and the caller's rights. */
export const RecordSchema = T.Object({ id: Uuid }, { additionalProperties: true, description: 'A record; its fields are described per object under components.schemas' });

export const NoContent = T.Null({ description: 'No content' });

/** `{data: [...]}` */
export const DataList = <S extends TSchema>(item: S, extra: Record<string, TSchema> = {}) => T.Object({ data: T.Array(item), ...extra });

/** What a fixed route declares besides validation: OpenAPI's summary, operationId, tags, security. */
export interface RouteDoc {
  summary: string;
  operationId: string;
  tags?: string[];
  /** `[]` for public routes (no session or token). */
  security?: [];
  description?: string;
}

/** The `schema` option of a Fastify route: input schemas, answers by status, and the docs. */
export function routeSchema(doc: RouteDoc & { params?: TSchema; querystring?: TSchema; body?: TSchema; response: Record<number, TSchema> }) {
  return doc;
}
