import { PublishError } from '../functions/core/errors.ts';

const DATASET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const RUN_ID = /^[0-9A-Za-z._-]+$/;

/** Throws unless `id` is a dataset id (`[a-z0-9][a-z0-9-]{0,62}`), the manifest's rule. */
export function assertDatasetId(id: string): void {
  if (!DATASET_ID.test(id)) {
    throw new PublishError('INVALID_ID', `dataset id ${JSON.stringify(id)} must match ${DATASET_ID.source}`);
  }
}

/** Throws unless `id` is a run id (`[0-9A-Za-z._-]+`, and not `.` or `..`). */
export function assertRunId(datasetId: string, id: string): void {
  if (!RUN_ID.test(id) || id === '.' || id === '..') {
    throw new PublishError(
      'INVALID_ID',
      `run id ${JSON.stringify(id)} of dataset ${datasetId} must match ${RUN_ID.source} and not be . or ..`,
    );
  }
}

/** Site paths, relative to the site root: spelt with the lake's keys in core. */
export { sitePath } from '../functions/core/lake/layout.ts';

/** The relative prefix from a page to the site root, e.g. `../../` for `datasets/x/index.html`. */
export function rootPrefix(pagePath: string): string {
  return '../'.repeat(pagePath.split('/').length - 1);
}
