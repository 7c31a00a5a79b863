import { InputError } from '../errors.ts';

/**
 * Encodings the byte scanner can split safely: every byte below 0x80 is the ASCII character, so
 * the delimiter, the quote and line breaks are never part of a multi-byte character (WHATWG names,
 * as `TextDecoder.encoding` reports them). UTF-16, Shift_JIS, GBK, Big5 and ISO-2022-JP are not.
 */
const ASCII_COMPATIBLE =
  /^(utf-8|ibm866|iso-8859-\d+|koi8-[ru]|macintosh|windows-\d+|x-mac-cyrillic|euc-jp|euc-kr)$/;

/**
 * A fatal decoder for `encoding` (a WHATWG label such as `utf-8`, `latin1`, `windows-1252`).
 * A byte order mark inside a field is kept as data; the scanners strip the one at the start of a file.
 *
 * @throws InputError INPUT_FORMAT when the encoding is unknown or not ASCII-compatible
 */
export function createFieldDecoder(encoding: string, fileName: string): TextDecoder {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(encoding.trim(), { fatal: true, ignoreBOM: true });
  } catch (cause) {
    throw new InputError(
      'INPUT_FORMAT',
      `${fileName}: unknown encoding '${encoding}'; expected a label such as 'utf-8' or 'windows-1252'`,
      { cause },
    );
  }
  if (decoder.encoding !== 'utf-8') {
    // BOM handling only applies to UTF encodings; Node's windows-1252 decoder with ignoreBOM: true
    // wrongly drops a leading 0xFF ('ÿ'), so the other encodings get the default.
    decoder = new TextDecoder(decoder.encoding, { fatal: true });
  }
  if (!ASCII_COMPATIBLE.test(decoder.encoding)) {
    throw new InputError(
      'INPUT_FORMAT',
      `${fileName}: encoding '${encoding}' is not supported; the CSV reader needs an ASCII-compatible ` +
        `encoding such as 'utf-8', 'windows-1252' or 'iso-8859-15'`,
    );
  }
  return decoder;
}

/** How an encoding is named in malformed-record reasons: "invalid UTF-8 in column 'sex'". */
export function encodingLabel(decoder: TextDecoder): string {
  return decoder.encoding === 'utf-8' ? 'UTF-8' : decoder.encoding;
}
