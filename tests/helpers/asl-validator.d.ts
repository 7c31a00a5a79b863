/** asl-validator ships no types; the call the tests use. */
declare module 'asl-validator' {
  export default function validator(
    definition: Record<string, unknown>,
    options?: { checkArn?: boolean; checkPaths?: boolean },
  ): { isValid: boolean; errors: unknown[] };
}
