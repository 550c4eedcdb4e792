-- Questionnaires as data: each line of business asks its own questions, so a questionnaire is a
-- versioned definition. A version is never changed once published (answers were given for it):
-- an administrator publishes a new version instead (POST /api/questionnaires), numbered max + 1
-- per key. `questions` is an array of {key, type, required, label: {ru, en}, help?, options?},
-- checked by domain/questionnaires.ts before it is written.

CREATE TABLE questionnaires (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  key         text NOT NULL CHECK (key ~ '^[a-z][a-z0-9-]{0,63}$'),
  version     int NOT NULL CHECK (version > 0),
  title_ru    text NOT NULL CHECK (length(title_ru) > 0),
  title_en    text NOT NULL CHECK (length(title_en) > 0),
  questions   jsonb NOT NULL CHECK (jsonb_typeof(questions) = 'array' AND jsonb_array_length(questions) > 0),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (key, version)
);

CREATE FUNCTION questionnaires_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'questionnaire % version % is published and cannot be changed; publish a new version', OLD.key, OLD.version
    USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER questionnaires_immutable BEFORE UPDATE ON questionnaires
  FOR EACH ROW EXECUTE FUNCTION questionnaires_immutable();

-- Seed 002, «Вопросы потенциальному клиенту по грузоперевозкам»: the 19 questions of the
-- freight-logistics request form, in the original order and wording.
INSERT INTO questionnaires (key, version, title_ru, title_en, created_by, questions) VALUES (
  'freight-logistics', 1,
  'Вопросы потенциальному клиенту по грузоперевозкам',
  'Freight transport: questions for a prospective client',
  'seed',
  $json$[
  {"key": "loadingWarehouses", "type": "text", "required": true,
   "label": {"ru": "Местоположение складов отгрузки", "en": "Location of the loading warehouses"},
   "help": {"ru": "Адреса или города складов, с которых забирается груз", "en": "Addresses or towns of the warehouses the cargo is collected from"}},
  {"key": "cargo", "type": "text", "required": true,
   "label": {"ru": "Что за груз", "en": "What the cargo is"},
   "help": {"ru": "Наименование, вес и объём типичной отправки", "en": "The goods, weight and volume of a typical consignment"}},
  {"key": "cargoValuePerTruck", "type": "number", "required": true,
   "label": {"ru": "Ориентировочная стоимость груза в одной машине, руб.", "en": "Approximate value of the cargo in one truck, RUB"}},
  {"key": "vehicleTypes", "type": "text", "required": true,
   "label": {"ru": "Требуемые типы ТС", "en": "Vehicle types required"},
   "help": {"ru": "Например: тент 20 т, рефрижератор 5 т, изотерм", "en": "For example: 20 t curtainsider, 5 t reefer, insulated van"}},
  {"key": "temperatureRegime", "type": "choice", "required": true,
   "label": {"ru": "Есть ли температурный режим", "en": "Temperature regime"},
   "help": {"ru": "Если другой, укажите диапазон температур в описании груза", "en": "If other, give the temperature range in the cargo description"},
   "options": [
     {"value": "none", "label": {"ru": "Нет", "en": "None"}},
     {"value": "chilled", "label": {"ru": "Охлаждение (+2…+8 °C)", "en": "Chilled (+2…+8 °C)"}},
     {"value": "frozen", "label": {"ru": "Заморозка (−18 °C и ниже)", "en": "Frozen (−18 °C or below)"}},
     {"value": "other", "label": {"ru": "Другой", "en": "Other"}}
   ]},
  {"key": "packing", "type": "choice", "required": true,
   "label": {"ru": "Как отгружается товар", "en": "How the goods are loaded"},
   "options": [
     {"value": "pallets", "label": {"ru": "Паллеты", "en": "Pallets"}},
     {"value": "boxes", "label": {"ru": "Короба", "en": "Boxes"}},
     {"value": "bulk", "label": {"ru": "Навал", "en": "Loose (in bulk)"}}
   ]},
  {"key": "cargoSecuring", "type": "boolean", "required": false,
   "label": {"ru": "Требуется ли крепление груза в кузове", "en": "Cargo securing in the truck body required"}},
  {"key": "sideUnloading", "type": "boolean", "required": false,
   "label": {"ru": "Необходима ли растентовка кузова", "en": "Curtain removal for side or top loading and unloading required"}},
  {"key": "armedEscort", "type": "boolean", "required": false,
   "label": {"ru": "Требуется ли вооруженное сопровождение", "en": "Armed escort required"}},
  {"key": "insurance", "type": "boolean", "required": false,
   "label": {"ru": "Необходимость страхования груза", "en": "Cargo insurance required"}},
  {"key": "paymentTermsDays", "type": "number", "required": true,
   "label": {"ru": "Требуемые сроки оплаты, дней", "en": "Payment terms required, days"},
   "help": {"ru": "Через сколько календарных дней после выставления счёта Клиент оплачивает перевозку", "en": "Calendar days after the invoice within which the client pays"}},
  {"key": "powersOfAttorney", "type": "choice", "required": false,
   "label": {"ru": "Доверенности: как происходит отгрузка", "en": "Powers of attorney: how goods are released for loading"},
   "options": [
     {"value": "originals", "label": {"ru": "По оригиналам", "en": "Against original powers of attorney"}},
     {"value": "copies", "label": {"ru": "По копиям", "en": "Against copies"}},
     {"value": "none", "label": {"ru": "Без доверенностей", "en": "Without powers of attorney"}},
     {"value": "attached_to_invoice", "label": {"ru": "С прикладыванием доверенности к счету", "en": "Power of attorney attached to the invoice"}}
   ]},
  {"key": "weekendLoading", "type": "boolean", "required": false,
   "label": {"ru": "Требуется ли Клиенту отгрузка в выходные дни", "en": "Loading at weekends required"}},
  {"key": "orderLeadTimeHours", "type": "number", "required": true,
   "label": {"ru": "За какое время до погрузки размещается заявка на перевозку, часов", "en": "How long before loading a transport order is placed, hours"}},
  {"key": "freeWaitingTimeHours", "type": "number", "required": false,
   "label": {"ru": "Неоплачиваемое время простоя на погрузке/выгрузке, часов", "en": "Free (unpaid) waiting time at loading and unloading, hours"}},
  {"key": "latenessPenalties", "type": "text", "required": false,
   "label": {"ru": "Какие штрафы предусмотрены Клиентом за опоздание/неподачу", "en": "The client's penalties for a late or missing vehicle"}},
  {"key": "downtimePenalties", "type": "text", "required": false,
   "label": {"ru": "Какие штрафы предусмотрены за простой на погрузке/выгрузке", "en": "Penalties for downtime at loading and unloading"}},
  {"key": "extraStopsCost", "type": "text", "required": false,
   "label": {"ru": "Стоимость дополнительных мест погрузки/выгрузки или дополнительных услуг", "en": "Cost of extra loading or unloading points, or of extra services"},
   "help": {"ru": "Например, выкатка поддонов на пандус", "en": "For example, rolling pallets out onto the ramp"}},
  {"key": "tariffChangeMechanism", "type": "text", "required": false,
   "label": {"ru": "Существует ли механизм изменения тарифов у Клиента, как часто возможно изменение тарифов", "en": "The client's tariff change mechanism: is there one, and how often may tariffs change"}}
]$json$::jsonb
);
