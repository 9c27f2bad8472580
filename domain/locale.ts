/** The languages of the service: Italian first, English second. One declaration for every side. */
export type Locale = 'it' | 'en';
export const LOCALES: readonly Locale[] = ['it', 'en'];
