/** The part of jstat 1.9.6 (no bundled types) the attacker's independent statistics use. */
declare module 'jstat' {
  interface JStat {
    /** ln Γ(x). */
    gammaln(x: number): number;
  }
  const jStat: JStat;
  export default jStat;
}
