// The manifest's id patterns, apart from schema.ts so that code that checks an id (the references'
// reader, loaded by every handler) does not build the manifest's zod schemas at a cold start.

export const DATASET_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const REFERENCE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}\/[a-z0-9][a-z0-9_]{0,62}$/;
/** A population (the part of a reference id before the slash): `de-2023`, `market-2026`. */
export const POPULATION_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/**
 * A table name both Glue (lower case, at most 255 characters) and DuckDB take as it is, and that
 * needs no quoting anywhere: the allow-list that keeps a manifest from naming anything else.
 */
export const TABLE_NAME_PATTERN = /^[a-z][a-z0-9_]{0,127}$/;
