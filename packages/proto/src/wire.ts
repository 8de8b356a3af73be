// Strict decoding of served requests. ts-proto reads strings with a lenient UTF-8 decoder that turns invalid bytes
// into U+FFFD, so two distinct ids could collide; upstream's Go decoder refuses such a message ("string field
// contains invalid UTF-8"), and so does this reader.
import { BinaryReader } from '@bufbuild/protobuf/wire';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Thrown by strictReader's string reads; the message is the one upstream's decoder gives. */
export class InvalidUtf8Error extends Error {
  override name = 'InvalidUtf8Error';
  constructor() {
    super('string field contains invalid UTF-8');
  }
}

/**
 * Levels of nesting a served request may not use of the generated decoders' 1,100 (scripts/generate.mjs), kept for
 * the messages stored data is wrapped in, so a request's failure chain of 1,000 causes decodes again from a history.
 */
const STORAGE_HEADROOM = 50;

/**
 * A reader for `Message.decode(strictReader(bytes))` whose string fields must be valid UTF-8 and whose nesting is
 * at most 1,050 levels (the generated decoders count depth on the reader they are given).
 */
export function strictReader(bytes: Uint8Array): BinaryReader {
  const reader = new BinaryReader(bytes, (data) => {
    try {
      return strictUtf8.decode(data);
    } catch {
      throw new InvalidUtf8Error();
    }
  });
  (reader as unknown as { __tsProtoDecodeDepth: number }).__tsProtoDecodeDepth = STORAGE_HEADROOM;
  return reader;
}
