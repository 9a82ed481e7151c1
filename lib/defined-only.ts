/**
 * `fields` without those that are undefined: for objects whose readers tell an absent key from
 * an undefined one (results users inspect with `in`, objects compared or spread over defaults).
 */
export function definedOnly<T extends object>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
