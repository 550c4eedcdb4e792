// Texts of the insight pages (where time goes, churn, the registry), in Russian.
export const insightRu = {
  'nav.insight': 'Где время',
} as const;
