import { GitcapError } from '../../core/errors.js';
import { QUANT_TYPES, isQuantType, type QuantType } from '../../weights-convert/quant-types.js';

export { isQuantType, type QuantType };

/** The weight type a download is converted to unless asked otherwise. */
export const DEFAULT_QUANTIZATION: QuantType = 'q8_0';

export function validateQuantization(value: unknown): asserts value is QuantType {
  if (!isQuantType(value)) {
    throw new GitcapError(
      'E_INVALID_ARG',
      `Expected one of ${QUANT_TYPES.join(', ')} for quantization but received ${JSON.stringify(value)}`,
    );
  }
}
