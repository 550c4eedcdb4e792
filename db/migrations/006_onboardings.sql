-- Client onboarding: one row per request, the onboarding process's projection (written by its
-- steps), and the client's place on the loyalty ladder.

ALTER TABLE clients ADD COLUMN loyalty_stage text NOT NULL DEFAULT 'aware'
  CHECK (loyalty_stage IN ('unaware','aware','first_purchase','repeat_purchase','regular','adherent','lost'));

CREATE TABLE onboardings (
  id                       uuid PRIMARY KEY,
  workflow_id              text NOT NULL UNIQUE,
  client_id                uuid NOT NULL REFERENCES clients (id),
  line_of_business         text NOT NULL,
  questionnaire_id         uuid NOT NULL REFERENCES questionnaires (id),
  answers                  jsonb NOT NULL DEFAULT '{}',
  stage                    text NOT NULL,
  segment                  text CHECK (segment IN ('key','gold','regular','low')),
  supplier_position        text CHECK (supplier_position IN ('managed','partner','desired','independent')),
  expected_annual_revenue  numeric(18,2),
  decision                 text CHECK (decision IN ('pursue','decline')),
  decision_reason          text,
  manager_id               uuid REFERENCES staff (id),
  assignment               jsonb,
  contract_workflow_id     text,
  contract_number          text,
  checklist                jsonb NOT NULL DEFAULT '{}',
  created_by               text NOT NULL,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  closed_at                timestamptz,
  close_reason             text
);
CREATE INDEX onboardings_stage ON onboardings (stage, created_at, id);
CREATE INDEX onboardings_client ON onboardings (client_id);
CREATE INDEX onboardings_manager ON onboardings (manager_id);

-- Answers given after the request, written by the API before the workflow hears of them (the
-- workflow carries only the id), copied onto the onboarding by the step that accepts them.
CREATE TABLE onboarding_answer_sets (
  id             text PRIMARY KEY,
  onboarding_id  uuid NOT NULL REFERENCES onboardings (id),
  answers        jsonb NOT NULL,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
