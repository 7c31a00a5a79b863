import { LAKE_TABLES, type LakeTable } from '../../core/lake/tables.ts';

/**
 * The Glue tables Athena queries, generated from the lake's table catalogue (the same one the
 * DuckDB views come from), in the shape of CloudFormation's `AWS::Glue::Table` TableInput so the
 * CDK stack passes it to `CfnTable` as it is. Every partition is projected with the `injected`
 * type: no partitions to register after a run, and Athena reads only the folders a query names
 * (so every query names them with `=` or `IN`, as the compare statement does).
 */
export interface GlueTableInput {
  readonly name: string;
  readonly description: string;
  readonly tableType: 'EXTERNAL_TABLE';
  readonly parameters: Readonly<Record<string, string>>;
  readonly partitionKeys: readonly { readonly name: string; readonly type: string }[];
  readonly storageDescriptor: {
    readonly columns: readonly { readonly name: string; readonly type: string }[];
    readonly location: string;
    readonly inputFormat: string;
    readonly outputFormat: string;
    readonly serdeInfo: {
      readonly serializationLibrary: string;
      readonly parameters: Readonly<Record<string, string>>;
    };
  };
}

/** @param bucket - the lake bucket's name (a CDK token in the stack). */
export function glueTableInput(table: LakeTable, bucket: string): GlueTableInput {
  const location = `s3://${bucket}/${table.prefix}`;
  const template = `${location}${table.partitions.map((p) => `${p.name}=\${${p.name}}/`).join('')}`;
  const projection: Record<string, string> = {
    'projection.enabled': 'true',
    'storage.location.template': template,
  };
  for (const p of table.partitions) projection[`projection.${p.name}.type`] = 'injected';
  return {
    name: table.name,
    description: `repscope lake table ${table.name} (JSON Lines under ${table.prefix})`,
    tableType: 'EXTERNAL_TABLE',
    parameters: { classification: 'json', ...projection },
    partitionKeys: table.partitions.map((p) => ({ name: p.name, type: p.type })),
    storageDescriptor: {
      columns: table.columns.map((c) => ({ name: c.name, type: c.type })),
      location,
      inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      serdeInfo: {
        serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        // A malformed line is an error, never a silently dropped row.
        parameters: { 'ignore.malformed.json': 'FALSE', 'case.insensitive': 'FALSE' },
      },
    },
  };
}

/** Every lake table as a Glue TableInput. */
export function glueTables(bucket: string): GlueTableInput[] {
  return LAKE_TABLES.map((t) => glueTableInput(t, bucket));
}
