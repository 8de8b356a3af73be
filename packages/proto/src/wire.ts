// Encoding through a reused writer, and strict decoding of served requests.
//
// Strict decoding: ts-proto reads strings with a lenient UTF-8 decoder that turns invalid bytes
// into U+FFFD, so two distinct ids could collide; upstream's Go decoder refuses such a message ("string field
// contains invalid UTF-8"), and so does this reader.
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';

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

/** What the generated message types offer for encoding. */
export interface Encodable<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
}

/**
 * A writer whose buffer has grown to the size of the messages encoded before: a fresh writer starts at 128 bytes
 * and doubles, copying, until the message fits, on every top-level encode. Taken while in use, so an encode that
 * throws half-way (leaving a position behind) is dropped rather than reused.
 */
let spareWriter: BinaryWriter | undefined;
/** A writer whose message was larger is not kept, so one large history does not stay pinned in memory. */
const KEPT_WRITER_BYTES = 64 * 1024;

/** `type.encode(message).finish()`, through the spare writer: the same bytes, in a buffer of their own. */
export function encodeMessage<T>(type: Encodable<T>, message: T): Uint8Array {
  const writer = spareWriter ?? new BinaryWriter();
  spareWriter = undefined;
  const bytes = type.encode(message, writer).finish();
  if (bytes.length <= KEPT_WRITER_BYTES) spareWriter = writer;
  return bytes;
}

/** encodeMessage's bytes as a Buffer over the same memory (they are already a copy of their own). */
export function encodeToBuffer<T>(type: Encodable<T>, message: T): Buffer {
  const bytes = encodeMessage(type, message);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
