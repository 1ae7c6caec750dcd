/**
 * Validation of server frames. The server is trusted but may be newer, older or broken: a frame that does
 * not have the fields its type promises is rejected with a reason (the client reports it and keeps the
 * connection); a frame of an unknown type is ignored quietly, so a newer server can add frame types.
 */
import { SERVER_FRAME_FIELDS, type FieldType, type ServerFrame } from '../protocol/server-frames.js';

const SHAPES: Readonly<Record<string, Readonly<Record<string, FieldType>>>> = SERVER_FRAME_FIELDS;

function fits(value: unknown, type: FieldType): boolean {
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === type;
}

/** Outcome of {@link parseServerFrame}: a frame, a reason it was rejected, or null for an unknown type. */
export type ParseResult = { frame: ServerFrame } | { error: string } | null;

/** Parses and checks one text frame from the server. */
export function parseServerFrame(data: unknown): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(String(data));
  } catch {
    return { error: 'frame is not valid JSON' };
  }
  if (!fits(value, 'object')) return { error: 'frame is not a JSON object' };
  const record = value as Record<string, unknown>;
  const shape = typeof record.type === 'string' ? SHAPES[record.type] : undefined;
  if (!shape) return typeof record.type === 'string' ? null : { error: 'frame has no type' };
  for (const [field, type] of Object.entries(shape)) {
    if (!fits(record[field], type)) return { error: `${record.type} frame: ${field} must be a ${type}` };
  }
  if (record.type === 'hello' && record.user !== null && typeof record.user !== 'string') {
    return { error: 'hello frame: user must be a string or null' };
  }
  return { frame: value as ServerFrame };
}
