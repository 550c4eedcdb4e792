// Texts of the insight pages, in English: the same keys as insight.ru.ts.
import type { insightRu } from './insight.ru';

export const insightEn: Record<keyof typeof insightRu, string> = {
  'nav.insight': 'Where time goes',
};
