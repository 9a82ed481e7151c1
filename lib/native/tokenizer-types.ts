// Exact types of the addon's Tokenizer class (native/addon/tokenizer.cpp). User code never sees these.

/**
 * Options of the BERT WordPiece tokenizer; every member is optional (defaults in brackets).
 * Special ids: -1 looks the token up by its BERT name ("[CLS]", ...); [CLS], [SEP] and [UNK] must
 * exist, [PAD] and [MASK] may be absent.
 */
export interface RawTokenizerOptions {
  /** [true] */
  doLowerCase?: boolean;
  /** [null]: strip accents exactly when lower-casing, as transformers' strip_accents=None. */
  stripAccents?: boolean | null;
  /** [true] Put spaces around CJK ideographs. */
  tokenizeChineseChars?: boolean;
  /** [100] Longer words (in code points) become [UNK]. */
  maxInputCharsPerWord?: number;
  clsId?: number;
  sepId?: number;
  padId?: number;
  unkId?: number;
  maskId?: number;
}

export interface RawDecodeOptions {
  /** [true] Drop [PAD], [UNK], [CLS], [SEP], [MASK] ("[unusedN]" are not special). */
  skipSpecialTokens?: boolean;
  /** [true] transformers' clean_up_tokenization (" ." -> ".", " ' " -> "'", " n't" -> "n't", ...). */
  cleanUpTokenizationSpaces?: boolean;
}

export interface RawSpecialIds {
  cls: number;
  sep: number;
  /** -1 when the vocabulary has none. */
  pad: number;
  unk: number;
  /** -1 when the vocabulary has none. */
  mask: number;
}

/**
 * transformers' Python BertTokenizer (5.x BertTokenizerLegacy), exactly. Text is a string or UTF-8
 * bytes; ill-formed UTF-8 reads as U+FFFD, which BERT drops. All methods are synchronous.
 * Throws E_INVALID_ARG for arguments of the wrong type and for a vocabulary it cannot use.
 */
export interface RawTokenizer {
  /** Token ids, with [CLS] ... [SEP] around them unless addSpecialTokens is false. */
  encode(text: string | Uint8Array, addSpecialTokens?: boolean): Int32Array;
  /** The WordPiece tokens (transformers' tokenize()), without [CLS]/[SEP]. */
  tokens(text: string | Uint8Array): string[];
  decode(ids: readonly number[] | Int32Array, options?: RawDecodeOptions): string;
  /**
   * What streaming emits: one piece per id (only text no later id can change), then the rest.
   * The pieces concatenate to decode(ids, options).
   */
  decodePieces(ids: readonly number[] | Int32Array, options?: RawDecodeOptions): string[];
  /** The vocabulary entry of an id; "[UNK]"'s text for ids outside the vocabulary. */
  piece(id: number): string;
  readonly vocabSize: number;
  readonly specialIds: RawSpecialIds;
}

/** native/addon/tokenizer.cpp */
export interface AddonTokenizerPart {
  /** vocab[id] = token text, as the lines of vocab.txt. */
  Tokenizer: new (vocab: string[], options?: RawTokenizerOptions) => RawTokenizer;
}
