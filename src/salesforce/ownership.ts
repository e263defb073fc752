/**
 * How onramp proves that an org object is its own before it changes or destroys it.
 *
 * An object onramp created carries onramp's marker (a description, the user's FederationIdentifier).
 * An object onramp adopted carries nothing of onramp's, since adoption changes nothing in the org
 * (docs/day-two.md, "Adoption"): its proof is the identity it had when it was adopted, as the registry
 * recorded it (a user's or permission set's record id, a Connected App's consumer key, which Salesforce
 * never changes, an External Client App's metadata id). An object of the same name made later has another
 * identity and is refused, and onramp never claims anything it did not adopt by name and identity.
 */
const ADOPTED = 'adopted:';

/** The marker of an adopted object: the identity recorded at adoption. */
export const adoptedMarker = (identity: string) => `${ADOPTED}${identity}`;

export const isAdoptedMarker = (marker: string) => marker.startsWith(ADOPTED);

/**
 * Whether the object found is the one `marker` names: for onramp's own objects the marker it carries
 * (`stamp`), for adopted ones its identity.
 */
export function owns(marker: string, found: { stamp: unknown; identity?: unknown }): boolean {
  if (!isAdoptedMarker(marker)) return found.stamp === marker;
  return typeof found.identity === 'string' && found.identity === marker.slice(ADOPTED.length);
}
