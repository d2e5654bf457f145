/**
 * The rows an UPDATE or DELETE … RETURNING gave: TypeORM answers those as
 * [rows, affected count] on Postgres (a SELECT or INSERT as the rows alone).
 * Reading `.length` of the raw answer instead is always 2: a lease that every
 * caller "gets" (see PortalCredentials.tryLease).
 */
export function returnedRows<T = unknown>(answer: unknown): T[] {
  if (Array.isArray(answer) && answer.length === 2 && Array.isArray(answer[0]) && typeof answer[1] === 'number') return answer[0] as T[];
  return Array.isArray(answer) ? (answer as T[]) : [];
}
