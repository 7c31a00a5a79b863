/**
 * Data-minimisation hints: columns that look like direct identifiers. By name always; by value
 * only when the manifest opts in, and then only over a small sample of the projected columns.
 * Only the kind of identifier and a match count are kept, never a value.
 */
export type IdentifierKind =
  | 'email'
  | 'phone'
  | 'iban'
  | 'ip-address'
  | 'name'
  | 'national-id'
  | 'street-address'
  | 'birth-date';

const NAME_RULES: readonly [IdentifierKind, RegExp][] = [
  ['email', /(^|[^a-z])(e[-_ ]?mail|mail[-_ ]?address)([^a-z]|$)/],
  ['phone', /(^|[^a-z])(phone|tel|telephone|mobile|cell|handy|fax|msisdn)([^a-z]|$)/],
  ['iban', /(^|[^a-z])(iban|bic|account[-_ ]?(no|number)|bank[-_ ]?account)([^a-z]|$)/],
  ['ip-address', /(^|[^a-z])(ip|ip[-_ ]?addr(ess)?|ipv4|ipv6|remote[-_ ]?addr)([^a-z]|$)/],
  [
    'name',
    /(^|[^a-z])(name|first[-_ ]?name|last[-_ ]?name|given[-_ ]?name|family[-_ ]?name|surname|full[-_ ]?name|vorname|nachname)([^a-z]|$)/,
  ],
  [
    'national-id',
    /(^|[^a-z])(ssn|social[-_ ]?security|passport|tax[-_ ]?id|national[-_ ]?id|steuer[-_ ]?id)([^a-z]|$)/,
  ],
  ['street-address', /(^|[^a-z])(street|street[-_ ]?address|address[-_ ]?line|strasse|straße)([^a-z]|$)/],
  ['birth-date', /(^|[^a-z])(dob|birth[-_ ]?date|date[-_ ]?of[-_ ]?birth|birthday|geburtsdatum)([^a-z]|$)/],
];

const VALUE_RULES: readonly [IdentifierKind, RegExp][] = [
  ['email', /^[^\s@]{1,64}@[^\s@]{1,255}\.[a-z]{2,}$/i],
  ['iban', /^[A-Z]{2}\d{2}[ ]?([A-Z0-9]{4}[ ]?){2,7}[A-Z0-9]{1,4}$/],
  ['ip-address', /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$/i],
  ['phone', /^\+?[\d ()/.-]{7,20}$/],
];

/** The identifier kind a column's name suggests, if any. */
export function identifierKindOfName(column: string): IdentifierKind | undefined {
  const name = column
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split('.')
    .at(-1)!;
  for (const [kind, rule] of NAME_RULES) if (rule.test(name)) return kind;
  return undefined;
}

/** The identifier kind a single value looks like, if any. Phone needs at least 7 digits. */
export function identifierKindOfValue(value: string): IdentifierKind | undefined {
  const v = value.trim();
  if (v.length < 5 || v.length > 100) return undefined;
  for (const [kind, rule] of VALUE_RULES) {
    if (!rule.test(v)) continue;
    if (kind === 'phone' && (v.match(/\d/g)?.length ?? 0) < 7) continue;
    return kind;
  }
  return undefined;
}
