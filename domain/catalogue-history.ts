/**
 * Every catalogue version ever published, and lookup by version. A running pathway keeps the
 * version it started with (the enrollment row stores `catalogueVersion`), so reads about an
 * existing enrollment go through findPathwayVersion, never through the current CATALOGUE.
 *
 * The list itself lives in catalogue.ts next to the entries: catalogue-validate.ts must read it,
 * and defining it here would make this module and the validator import each other.
 */
import { CATALOGUE_VERSIONS, type PathwayDefinition } from './catalogue';
import { assertCatalogueValid } from './catalogue-validate';
import type { Locale } from './locale';

export { CATALOGUE_VERSIONS };

// A broken entry must stop the worker or the API at start-up, not the first enrollment that uses it.
assertCatalogueValid();

export function findPathwayVersion(kind: string, version: number): PathwayDefinition | undefined {
  return CATALOGUE_VERSIONS.find((d) => d.kind === kind && d.version === version);
}

/** The pathway's and a step's names in one language, as the enrollment's catalogue version has them. */
export function pathwayAndStepNames(
  kind: string,
  version: number,
  stepKey: string | null,
  locale: Locale,
): { pathwayName: string; stepName: string } {
  const def = findPathwayVersion(kind, version);
  const step = def?.steps.find((s) => s.key === stepKey);
  return { pathwayName: def?.name[locale] ?? kind, stepName: step?.name[locale] ?? stepKey ?? '' };
}
