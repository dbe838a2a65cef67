// The demo dataset's SQL (see demo.hpp). Every id is fixed (an md5 of a key,
// so a second run finds the same rows) or, for the organisation data shared
// by all tenants, looked up by its unique slug first: a database that already
// has a role "software-engineer" keeps it, and the demo's agents point at it.
// Every INSERT is ON CONFLICT DO NOTHING: existing rows are never changed.

#include "app/demo_sql.hpp"

namespace agentbase::app::demo_sql {

const char* Helpers() {
  return R"sql(
CREATE OR REPLACE FUNCTION pg_temp.demo_id(key text) RETURNS uuid LANGUAGE sql IMMUTABLE
  AS $$ SELECT md5('agentbase-demo:' || key)::uuid $$;
CREATE OR REPLACE FUNCTION pg_temp.demo_department(slug text) RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT coalesce((SELECT d.id FROM public.departments d WHERE d.slug = $1), pg_temp.demo_id('department:' || $1)) $$;
CREATE OR REPLACE FUNCTION pg_temp.demo_role(slug text) RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT coalesce((SELECT r.id FROM public.organizational_roles r WHERE r.slug = $1), pg_temp.demo_id('role:' || $1)) $$;
CREATE OR REPLACE FUNCTION pg_temp.demo_function(slug text) RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT coalesce((SELECT f.id FROM public.business_functions f WHERE f.slug = $1), pg_temp.demo_id('function:' || $1)) $$;
CREATE OR REPLACE FUNCTION pg_temp.demo_tool(slug text) RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT coalesce((SELECT t.id FROM public.tools t WHERE t.slug = $1), pg_temp.demo_id('tool:' || $1)) $$;
-- When a message was sent, after its conversation began: messages a second
-- apart within a minute, so their order is their sequence.
CREATE OR REPLACE FUNCTION pg_temp.demo_offset(minute integer, seq integer) RETURNS interval LANGUAGE sql IMMUTABLE
  AS $$ SELECT $1 * interval '1 minute' + $2 * interval '1 second' $$;
-- When a conversation began: whole minutes, an hour before now at the latest.
CREATE OR REPLACE FUNCTION pg_temp.demo_start(days_ago integer) RETURNS timestamptz LANGUAGE sql STABLE
  AS $$ SELECT date_trunc('minute', now()) - interval '1 hour' - $1 * interval '1 day' $$;
CREATE OR REPLACE FUNCTION pg_temp.demo_tenant(slug text) RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT t.id FROM public.tenants t WHERE t.slug = $1 $$;
CREATE OR REPLACE FUNCTION pg_temp.demo_user(email text) RETURNS uuid LANGUAGE sql STABLE
  AS $$ SELECT u.id FROM auth.users u WHERE lower(u.email) = lower($1) ORDER BY u.created_at LIMIT 1 $$;
)sql";
}

const char* Tenants() {
  return R"sql(
INSERT INTO public.tenants (id, name, slug, settings)
SELECT pg_temp.demo_id('tenant:' || t.slug), t.name, t.slug, t.settings::jsonb
FROM (VALUES
  ('northwind', 'Northwind Traders',
   '{"agentbase_seed": "demo", "industry": "wholesale food distribution", "plan": "team", "timezone": "America/Los_Angeles"}'),
  ('contoso', 'Contoso Clinics',
   '{"agentbase_seed": "demo", "industry": "outpatient healthcare", "plan": "enterprise", "timezone": "Europe/Stockholm"}')
) AS t(slug, name, settings)
ON CONFLICT DO NOTHING;
)sql";
}

const char* Organisation() {
  return R"sql(
INSERT INTO public.departments (id, name, slug, description, parent_department_id)
SELECT pg_temp.demo_id('department:' || d.slug), d.name, d.slug, d.description, pg_temp.demo_department(d.parent)
FROM (VALUES
  ('executive', 'Executive Office', 'Company leadership, strategy and operations', NULL),
  ('engineering', 'Engineering', 'Builds, ships and runs the product', 'executive'),
  ('product', 'Product', 'Decides what to build and why', 'executive'),
  ('sales', 'Sales', 'Finds and wins new customers', 'executive'),
  ('customer-success', 'Customer Success', 'Support and onboarding for every customer', 'executive'),
  ('finance', 'Finance', 'Money in, money out, and the plan', 'executive'),
  ('people', 'People', 'Hiring and caring for the team', 'executive')
) AS d(slug, name, description, parent)
ON CONFLICT DO NOTHING;

INSERT INTO public.organizational_roles
  (id, name, slug, department_id, reports_to_role_id, level, responsibilities, required_skills)
SELECT pg_temp.demo_id('role:' || r.slug), r.name, r.slug, pg_temp.demo_department(r.department),
       pg_temp.demo_role(r.reports_to), r.level, r.responsibilities, r.skills
FROM (VALUES
  ('chief-executive-officer', 'Chief Executive Officer', 'executive', NULL, 'executive',
   ARRAY['Set company strategy', 'Hire the leadership team', 'Report to the board'], ARRAY['Leadership', 'Fundraising']),
  ('chief-operating-officer', 'Chief Operating Officer', 'executive', 'chief-executive-officer', 'executive',
   ARRAY['Run day-to-day operations', 'Own revenue and customer outcomes'], ARRAY['Operations', 'Planning']),
  ('chief-technology-officer', 'Chief Technology Officer', 'engineering', 'chief-executive-officer', 'executive',
   ARRAY['Own the technical roadmap', 'Keep the platform secure and reliable'], ARRAY['Architecture', 'Security']),
  ('chief-product-officer', 'Chief Product Officer', 'product', 'chief-executive-officer', 'executive',
   ARRAY['Own the product vision', 'Prioritise the roadmap'], ARRAY['Product strategy', 'Customer research']),
  ('chief-financial-officer', 'Chief Financial Officer', 'finance', 'chief-executive-officer', 'executive',
   ARRAY['Own budgets and forecasts', 'Close the books monthly'], ARRAY['Accounting', 'Financial modelling']),
  ('vp-sales', 'VP of Sales', 'sales', 'chief-operating-officer', 'senior',
   ARRAY['Build the sales pipeline', 'Coach the sales team'], ARRAY['Negotiation', 'Forecasting']),
  ('vp-customer-success', 'VP of Customer Success', 'customer-success', 'chief-operating-officer', 'senior',
   ARRAY['Keep customers successful', 'Reduce churn'], ARRAY['Account management', 'Support operations']),
  ('head-of-people', 'Head of People', 'people', 'chief-operating-officer', 'senior',
   ARRAY['Run hiring', 'Own compensation and culture'], ARRAY['Recruiting', 'Employment law']),
  ('engineering-manager', 'Engineering Manager', 'engineering', 'chief-technology-officer', 'senior',
   ARRAY['Plan sprints', 'Grow engineers'], ARRAY['People management', 'Delivery']),
  ('senior-software-engineer', 'Senior Software Engineer', 'engineering', 'engineering-manager', 'senior',
   ARRAY['Design services', 'Review code'], ARRAY['Distributed systems', 'PostgreSQL']),
  ('software-engineer', 'Software Engineer', 'engineering', 'engineering-manager', 'mid',
   ARRAY['Ship features', 'Write release notes'], ARRAY['TypeScript', 'Testing']),
  ('product-manager', 'Product Manager', 'product', 'chief-product-officer', 'mid',
   ARRAY['Write specifications', 'Talk to customers'], ARRAY['Discovery', 'Analytics']),
  ('product-designer', 'Product Designer', 'product', 'chief-product-officer', 'mid',
   ARRAY['Design flows', 'Run usability tests'], ARRAY['Interaction design', 'Prototyping']),
  ('account-executive', 'Account Executive', 'sales', 'vp-sales', 'mid',
   ARRAY['Close deals', 'Run demos'], ARRAY['Negotiation', 'Product knowledge']),
  ('sales-development-representative', 'Sales Development Representative', 'sales', 'vp-sales', 'entry',
   ARRAY['Find prospects', 'Book intro calls'], ARRAY['Cold outreach', 'CRM hygiene']),
  ('support-team-lead', 'Support Team Lead', 'customer-success', 'vp-customer-success', 'senior',
   ARRAY['Run the support queue', 'Handle escalations'], ARRAY['Coaching', 'Incident handling']),
  ('customer-support-specialist', 'Customer Support Specialist', 'customer-success', 'support-team-lead', 'junior',
   ARRAY['Answer customers', 'Process refunds within policy'], ARRAY['Empathy', 'Order systems']),
  ('financial-analyst', 'Financial Analyst', 'finance', 'chief-financial-officer', 'mid',
   ARRAY['Reconcile accounts', 'Build forecasts'], ARRAY['Spreadsheets', 'Accounting']),
  ('accounts-payable-specialist', 'Accounts Payable Specialist', 'finance', 'chief-financial-officer', 'junior',
   ARRAY['Match invoices to orders', 'Pay suppliers on time'], ARRAY['Attention to detail', 'ERP systems']),
  ('recruiter', 'Recruiter', 'people', 'head-of-people', 'mid',
   ARRAY['Source candidates', 'Schedule interviews'], ARRAY['Sourcing', 'Interviewing'])
) AS r(slug, name, department, reports_to, level, responsibilities, skills)
ON CONFLICT DO NOTHING;

INSERT INTO public.business_functions
  (id, name, slug, description, category, parent_function_id, key_activities, success_metrics)
SELECT pg_temp.demo_id('function:' || f.slug), f.name, f.slug, f.description, f.category,
       pg_temp.demo_function(f.parent), f.activities, f.metrics
FROM (VALUES
  ('strategy-and-planning', 'Strategy & Planning', 'Where the company goes next', 'strategic', NULL,
   ARRAY['Annual planning', 'Market analysis'], ARRAY['Plan accuracy']),
  ('revenue', 'Revenue', 'Everything that brings money in', 'core', NULL,
   ARRAY['Pipeline reviews'], ARRAY['Annual recurring revenue']),
  ('lead-generation', 'Lead Generation', 'Finding and qualifying prospects', 'core', 'revenue',
   ARRAY['Outbound campaigns', 'Lead scoring'], ARRAY['Qualified leads per week']),
  ('sales-execution', 'Sales Execution', 'Turning qualified leads into customers', 'core', 'revenue',
   ARRAY['Demos', 'Negotiation'], ARRAY['Win rate', 'Sales cycle length']),
  ('account-management', 'Account Management', 'Growing existing customers', 'core', 'revenue',
   ARRAY['Quarterly business reviews', 'Renewals'], ARRAY['Net revenue retention']),
  ('customer-operations', 'Customer Operations', 'Serving customers after the sale', 'operational', NULL,
   ARRAY['Queue management'], ARRAY['Customer satisfaction']),
  ('customer-support', 'Customer Support', 'Answering questions and fixing problems', 'operational', 'customer-operations',
   ARRAY['Ticket triage', 'Refunds'], ARRAY['First response time', 'Resolution rate']),
  ('customer-onboarding', 'Customer Onboarding', 'Getting new customers started', 'operational', 'customer-operations',
   ARRAY['Welcome calls', 'Appointment booking'], ARRAY['Time to first value']),
  ('product-development', 'Product Development', 'Building the product', 'core', NULL,
   ARRAY['Roadmap planning'], ARRAY['Features shipped']),
  ('software-delivery', 'Software Delivery', 'Shipping reliable software', 'core', 'product-development',
   ARRAY['Releases', 'Incident reviews'], ARRAY['Deployment frequency', 'Change failure rate']),
  ('product-discovery', 'Product Discovery', 'Learning what customers need', 'strategic', 'product-development',
   ARRAY['Customer interviews', 'Prototypes'], ARRAY['Validated ideas per quarter']),
  ('finance-and-administration', 'Finance & Administration', 'Keeping the books and the lights on', 'support', NULL,
   ARRAY['Month-end close'], ARRAY['Days to close']),
  ('accounts-payable', 'Accounts Payable', 'Paying suppliers correctly and on time', 'support', 'finance-and-administration',
   ARRAY['Invoice matching', 'Payment runs'], ARRAY['Invoices paid on time']),
  ('financial-planning', 'Financial Planning', 'Budgets, forecasts and billing analysis', 'strategic', 'finance-and-administration',
   ARRAY['Forecasting', 'Billing reviews'], ARRAY['Forecast error']),
  ('talent-acquisition', 'Talent Acquisition', 'Hiring the people the plan needs', 'support', NULL,
   ARRAY['Sourcing', 'Interview loops'], ARRAY['Time to hire', 'Offer acceptance rate'])
) AS f(slug, name, description, category, parent, activities, metrics)
ON CONFLICT DO NOTHING;
)sql";
}

const char* Tools() {
  return R"sql(
INSERT INTO public.tools (id, name, slug, description, input_schema)
SELECT pg_temp.demo_id('tool:' || t.slug), t.name, t.slug, t.description, t.input_schema::jsonb
FROM (VALUES
  ('search_knowledge_base', 'Search knowledge base', 'Full-text search over a help-center collection',
   '{"type": "object", "properties": {"query": {"type": "string", "minLength": 1}, "collection": {"type": "string"}, "top_k": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5}}, "required": ["query"], "additionalProperties": false}'),
  ('lookup_order', 'Look up order', 'An order with its items, status and delivery',
   '{"type": "object", "properties": {"order_id": {"type": "string", "pattern": "^NW-[0-9]+$"}}, "required": ["order_id"], "additionalProperties": false}'),
  ('issue_refund', 'Issue refund', 'Refunds part or all of an order or invoice',
   '{"type": "object", "properties": {"reference": {"type": "string"}, "amount": {"type": "number", "exclusiveMinimum": 0}, "currency": {"type": "string", "enum": ["USD", "EUR", "SEK"]}, "reason": {"type": "string"}}, "required": ["reference", "amount", "reason"], "additionalProperties": false}'),
  ('create_support_ticket', 'Create support ticket', 'Opens a ticket for a human team',
   '{"type": "object", "properties": {"subject": {"type": "string"}, "priority": {"type": "string", "enum": ["low", "normal", "high", "urgent"]}, "description": {"type": "string"}}, "required": ["subject", "description"], "additionalProperties": false}'),
  ('query_crm', 'Query CRM', 'Finds companies and contacts in the CRM',
   '{"type": "object", "properties": {"segment": {"type": "string"}, "city": {"type": "string"}, "not_contacted_since": {"type": "string", "format": "date"}, "fields": {"type": "array", "items": {"type": "string"}}}, "required": ["segment"], "additionalProperties": false}'),
  ('send_email', 'Send e-mail', 'Sends an e-mail from the agent''s configured address',
   '{"type": "object", "properties": {"to": {"type": "string", "format": "email"}, "subject": {"type": "string", "maxLength": 200}, "body": {"type": "string"}}, "required": ["to", "subject", "body"], "additionalProperties": false}'),
  ('schedule_meeting', 'Schedule meeting', 'Books a slot in a shared calendar',
   '{"type": "object", "properties": {"attendees": {"type": "array", "items": {"type": "string", "format": "email"}, "minItems": 1}, "start": {"type": "string", "format": "date-time"}, "duration_minutes": {"type": "integer", "minimum": 5, "maximum": 240}, "title": {"type": "string"}}, "required": ["attendees", "start", "duration_minutes"], "additionalProperties": false}'),
  ('get_invoice', 'Get invoice', 'An invoice with its lines and payments',
   '{"type": "object", "properties": {"invoice_id": {"type": "string"}}, "required": ["invoice_id"], "additionalProperties": false}'),
  ('create_github_issue', 'Create GitHub issue', 'Opens an issue in a repository',
   '{"type": "object", "properties": {"repository": {"type": "string", "pattern": "^[\\w.-]+/[\\w.-]+$"}, "title": {"type": "string"}, "body": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}}}, "required": ["repository", "title"], "additionalProperties": false}'),
  ('search_candidates', 'Search candidates', 'Searches the applicant tracking system',
   '{"type": "object", "properties": {"skills": {"type": "array", "items": {"type": "string"}, "minItems": 1}, "location": {"type": "string"}, "seniority": {"type": "string", "enum": ["entry", "junior", "mid", "senior"]}}, "required": ["skills"], "additionalProperties": false}')
) AS t(slug, name, description, input_schema)
ON CONFLICT DO NOTHING;

-- What an agent may configure of each tool, and the defaults under it.
INSERT INTO public.tool_schemas (tool_id, config_schema, default_config)
SELECT pg_temp.demo_tool(s.slug), s.config_schema::jsonb, s.default_config::jsonb
FROM (VALUES
  ('search_knowledge_base',
   '{"type": "object", "properties": {"collection": {"type": "string", "minLength": 1}, "top_k": {"type": "integer", "minimum": 1, "maximum": 20}}, "required": ["collection"], "additionalProperties": false}',
   '{"top_k": 5}'),
  ('lookup_order',
   '{"type": "object", "properties": {"endpoint": {"type": "string", "pattern": "^https://"}, "timeout_ms": {"type": "integer", "minimum": 100, "maximum": 30000}}, "required": ["endpoint"], "additionalProperties": false}',
   '{"timeout_ms": 5000}'),
  ('issue_refund',
   '{"type": "object", "properties": {"max_amount_without_approval": {"type": "number", "minimum": 0}, "currency": {"type": "string", "enum": ["USD", "EUR", "SEK"]}, "note": {"type": "string"}}, "additionalProperties": false}',
   '{"max_amount_without_approval": 0, "currency": "USD"}'),
  ('create_support_ticket',
   '{"type": "object", "properties": {"queue": {"type": "string", "minLength": 1}}, "required": ["queue"], "additionalProperties": false}',
   '{}'),
  ('query_crm',
   '{"type": "object", "properties": {"crm": {"type": "string", "enum": ["hubspot", "salesforce", "pipedrive"]}, "max_results": {"type": "integer", "minimum": 1, "maximum": 100}}, "required": ["crm"], "additionalProperties": false}',
   '{"max_results": 10}'),
  ('send_email',
   '{"type": "object", "properties": {"from": {"type": "string", "pattern": "^[^@ ]+@[^@ ]+$"}, "daily_limit": {"type": "integer", "minimum": 1, "maximum": 1000}}, "required": ["from"], "additionalProperties": false}',
   '{"daily_limit": 100}'),
  ('schedule_meeting',
   '{"type": "object", "properties": {"calendar": {"type": "string", "minLength": 1}, "default_duration_minutes": {"type": "integer", "minimum": 5, "maximum": 240}}, "required": ["calendar"], "additionalProperties": false}',
   '{"default_duration_minutes": 30}'),
  ('get_invoice',
   '{"type": "object", "properties": {"erp": {"type": "string"}, "system": {"type": "string"}}, "additionalProperties": false}',
   '{}'),
  ('create_github_issue',
   '{"type": "object", "properties": {"repository": {"type": "string", "pattern": "^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"}, "labels": {"type": "array", "items": {"type": "string"}, "uniqueItems": true}}, "required": ["repository"], "additionalProperties": false}',
   '{"labels": []}'),
  ('search_candidates',
   '{"type": "object", "properties": {"sources": {"type": "array", "items": {"type": "string", "enum": ["linkedin", "referrals", "job-boards"]}, "minItems": 1}}, "required": ["sources"], "additionalProperties": false}',
   '{}')
) AS s(slug, config_schema, default_config)
ON CONFLICT DO NOTHING;
)sql";
}

const char* Agents() {
  return R"sql(
INSERT INTO public.agents (id, tenant_id, name, description, model, system_prompt, organizational_role_id, business_function_id)
SELECT pg_temp.demo_id('agent:' || a.key), pg_temp.demo_tenant(split_part(a.key, '/', 1)), a.name, a.description, a.model,
       a.prompt, pg_temp.demo_role(a.role), pg_temp.demo_function(a.function)
FROM (VALUES
  ('northwind/support', 'Order Support Agent', 'Answers customers about orders, deliveries and refunds', 'gpt-4o-mini',
   'You are Northwind''s order support agent. Look orders up before answering. Refund up to $100 without approval; above that, open a ticket for a human.',
   'customer-support-specialist', 'customer-support'),
  ('northwind/sales', 'Sales Development Agent', 'Finds specialty grocers and books intro calls', 'gpt-4o',
   'You help Northwind''s sales team find prospects in the CRM, draft short friendly outreach, and book calls. Never e-mail a contact twice in a week.',
   'sales-development-representative', 'lead-generation'),
  ('northwind/payables', 'Accounts Payable Agent', 'Matches supplier invoices to deliveries', 'gpt-4o-mini',
   'You reconcile supplier invoices with orders and deliveries and explain every mismatch line by line.',
   'accounts-payable-specialist', 'accounts-payable'),
  ('northwind/release', 'Release Assistant', 'Drafts release notes and files follow-up issues', 'claude-3-5-sonnet',
   'You help engineers ship the storefront: draft release notes from merged changes and file issues for what is left.',
   'software-engineer', 'software-delivery'),
  ('contoso/intake', 'Patient Intake Assistant', 'Books first appointments and answers practical questions', 'gpt-4o',
   'You help new patients of Contoso Clinics book a first appointment. Never give medical advice; never repeat a full date of birth.',
   'customer-support-specialist', 'customer-onboarding'),
  ('contoso/billing', 'Billing Analyst', 'Explains invoices and corrects billing mistakes', 'gpt-4o-mini',
   'You explain Contoso invoices in plain language and refund duplicate charges within policy (up to EUR 50).',
   'financial-analyst', 'financial-planning'),
  ('contoso/recruiting', 'Recruiting Coordinator', 'Sources candidates and schedules interviews', 'claude-3-5-sonnet',
   'You help Contoso''s hiring managers find candidates and schedule interview loops.',
   'recruiter', 'talent-acquisition')
) AS a(key, name, description, model, prompt, role, function)
ON CONFLICT DO NOTHING;

INSERT INTO public.agent_tools (id, agent_id, tool_id, enabled, config, priority)
SELECT pg_temp.demo_id('agent-tool:' || t.agent || '/' || t.tool), pg_temp.demo_id('agent:' || t.agent),
       pg_temp.demo_tool(t.tool), t.enabled, t.config::jsonb, t.priority
FROM (VALUES
  ('northwind/support', 'search_knowledge_base', true, 1, '{"collection": "help-center", "top_k": 3}'),
  ('northwind/support', 'lookup_order', true, 2, '{"endpoint": "https://api.northwind.example/orders", "timeout_ms": 3000}'),
  ('northwind/support', 'issue_refund', true, 3, '{"max_amount_without_approval": 100, "currency": "USD"}'),
  ('northwind/support', 'create_support_ticket', true, 4, '{"queue": "tier-2"}'),
  ('northwind/sales', 'query_crm', true, 1, '{"crm": "hubspot", "max_results": 25}'),
  ('northwind/sales', 'send_email', true, 2, '{"from": "sales@northwind.example", "daily_limit": 50}'),
  ('northwind/sales', 'schedule_meeting', true, 3, '{"calendar": "sales-team", "default_duration_minutes": 30}'),
  ('northwind/payables', 'get_invoice', true, 1, '{"erp": "netsuite"}'),
  ('northwind/payables', 'send_email', true, 2, '{"from": "ap@northwind.example"}'),
  ('northwind/payables', 'issue_refund', false, 3, '{"note": "disabled until finance approves automated credits"}'),
  ('northwind/release', 'create_github_issue', true, 1, '{"repository": "northwind/storefront", "labels": ["from-agent"]}'),
  ('northwind/release', 'search_knowledge_base', true, 2, '{"collection": "runbooks"}'),
  ('contoso/intake', 'search_knowledge_base', true, 1, '{"collection": "patient-faq"}'),
  ('contoso/intake', 'schedule_meeting', true, 2, '{"calendar": "front-desk", "default_duration_minutes": 45}'),
  ('contoso/intake', 'create_support_ticket', true, 3, '{"queue": "patient-services"}'),
  ('contoso/billing', 'get_invoice', true, 1, '{"system": "clinic-billing"}'),
  ('contoso/billing', 'issue_refund', true, 2, '{"max_amount_without_approval": 50, "currency": "EUR"}'),
  ('contoso/billing', 'send_email', true, 3, '{"from": "billing@contoso.example"}'),
  ('contoso/recruiting', 'search_candidates', true, 1, '{"sources": ["linkedin", "referrals"]}'),
  ('contoso/recruiting', 'schedule_meeting', true, 2, '{"calendar": "hiring", "default_duration_minutes": 60}'),
  ('contoso/recruiting', 'send_email', true, 3, '{"from": "careers@contoso.example"}')
) AS t(agent, tool, enabled, priority, config)
ON CONFLICT DO NOTHING;

-- A week of calls of the enabled tools (rolled up by tool_calls' trigger),
-- so that usage has something to show: durations of a few hundred ms with a
-- slow tail, one call in 23 failing and one in 97 timing out.
INSERT INTO public.tool_calls (agent_id, tool_id, status, duration_ms, error, called_at)
SELECT a.agent_id, a.tool_id,
       CASE WHEN x.h % 23 = 0 THEN 'error' WHEN x.h % 97 = 0 THEN 'timeout' ELSE 'success' END,
       80 + x.h % 400 + CASE WHEN x.h % 10 = 0 THEN 1500 ELSE 0 END,
       CASE WHEN x.h % 23 = 0 THEN 'upstream answered 502' END,
       pg_catalog.now() - pg_catalog.make_interval(mins => (i * 37 + x.h % 30)::integer)
FROM public.agent_tools a
CROSS JOIN pg_catalog.generate_series(1, 200) AS i
CROSS JOIN LATERAL (SELECT abs(pg_catalog.hashtext(a.id::text || i::text)::bigint) AS h) AS x
WHERE a.enabled AND a.id IN (SELECT pg_temp.demo_id('agent-tool:' || t.agent || '/' || t.tool) FROM (VALUES
  ('northwind/support', 'search_knowledge_base'), ('northwind/support', 'lookup_order'),
  ('northwind/support', 'issue_refund'), ('northwind/sales', 'query_crm'), ('northwind/sales', 'send_email'),
  ('contoso/billing', 'get_invoice'), ('contoso/billing', 'issue_refund'), ('contoso/intake', 'schedule_meeting')
) AS t(agent, tool))
  AND NOT EXISTS (SELECT 1 FROM public.tool_calls c WHERE c.agent_id = a.agent_id AND c.tool_id = a.tool_id);

-- Every function each agent serves, its primary one (agents.business_function_id)
-- first, as set_agent_functions records them, so that the function tree shows
-- agents in more than one place.
INSERT INTO public.agent_business_functions (id, agent_id, business_function_id)
SELECT pg_temp.demo_id('agent-function:' || f.agent || '/' || f.function), pg_temp.demo_id('agent:' || f.agent),
       pg_temp.demo_function(f.function)
FROM (VALUES
  ('northwind/support', 'customer-support'), ('northwind/support', 'customer-onboarding'),
  ('northwind/sales', 'lead-generation'), ('northwind/sales', 'sales-execution'),
  ('northwind/payables', 'accounts-payable'), ('northwind/payables', 'financial-planning'),
  ('northwind/release', 'software-delivery'), ('northwind/release', 'product-discovery'),
  ('contoso/intake', 'customer-onboarding'), ('contoso/intake', 'customer-support'),
  ('contoso/billing', 'financial-planning'), ('contoso/billing', 'customer-support'),
  ('contoso/recruiting', 'talent-acquisition')
) AS f(agent, function)
ON CONFLICT DO NOTHING;
)sql";
}

const char* Conversations() {
  // last_message_at is the last message's time (the messages' trigger only
  // ever moves it forward), so the list shows the demo's own recency: the
  // messages are staged first (StagedMessages).
  return R"sql(
INSERT INTO public.conversations (id, tenant_id, user_id, agent_id, title, status, last_message_at, metadata, created_at)
SELECT pg_temp.demo_id('conversation:' || c.key), pg_temp.demo_tenant(split_part(c.key, '/', 1)), pg_temp.demo_user(c.email),
       pg_temp.demo_id('agent:' || c.agent), c.title, c.status,
       pg_temp.demo_start(c.days_ago) + (SELECT max(pg_temp.demo_offset(m.minute, m.seq)) FROM demo_messages m WHERE m.conversation = c.key),
       c.metadata::jsonb, pg_temp.demo_start(c.days_ago)
FROM (VALUES
  ('northwind/refund', 'chloe@northwind.example', 'northwind/support', 'Refund for damaged order NW-10482', 'active', 1,
   '{"channel": "web"}'),
  ('northwind/outreach', 'ben@northwind.example', 'northwind/sales', 'Q3 outreach to Portland specialty grocers', 'active', 3,
   '{"channel": "slack"}'),
  ('northwind/invoice', 'ada@northwind.example', 'northwind/payables', 'Fjord Foods invoice INV-7731 does not match delivery', 'archived', 12,
   '{"channel": "web", "resolution": "supplier sent a credit note"}'),
  ('northwind/release', 'chloe@northwind.example', 'northwind/release', 'Release notes for storefront 2.14', 'active', 0,
   '{"channel": "web"}'),
  ('contoso/intake', 'elias@contoso.example', 'contoso/intake', 'Booking a first appointment', 'active', 2,
   '{"channel": "mobile"}'),
  ('contoso/billing', 'dana@contoso.example', 'contoso/billing', 'Duplicate charge on the March statement', 'active', 5,
   '{"channel": "web"}'),
  ('contoso/hiring', 'dana@contoso.example', 'contoso/recruiting', 'Hiring two pediatric nurses for Eastside', 'active', 7,
   '{"channel": "web"}')
) AS c(key, email, agent, title, status, days_ago, metadata)
WHERE pg_temp.demo_user(c.email) IS NOT NULL
ON CONFLICT DO NOTHING;
)sql";
}

// Staged in a temporary table so that the statement that writes them can put
// the tool call id where this database keeps it (demo.cpp).
const char* StagedMessages() {
  return R"sql(
CREATE TEMPORARY TABLE demo_messages (
  conversation text, seq integer, role text, content text, tool_calls jsonb, tool_call_id text, minute integer
) ON COMMIT DROP;
INSERT INTO demo_messages (conversation, seq, role, content, tool_calls, tool_call_id, minute) VALUES
  ('northwind/refund', 1, 'user', 'Hi! Order NW-10482 arrived this morning with two broken jars of marmalade. Can I get a refund for those?', NULL, NULL, 0),
  ('northwind/refund', 2, 'assistant', '', '[{"id": "call_nwr_lookup", "type": "function", "function": {"name": "lookup_order", "arguments": "{\"order_id\": \"NW-10482\"}"}}]', NULL, 1),
  ('northwind/refund', 3, 'tool', '{"order_id": "NW-10482", "status": "delivered", "delivered_at": "today 08:12", "items": [{"sku": "MAR-330", "name": "Seville orange marmalade", "quantity": 6, "unit_price": 7.5}]}', NULL, 'call_nwr_lookup', 1),
  ('northwind/refund', 4, 'assistant', 'I can see the order: six jars of Seville orange marmalade at $7.50 each. I will refund the two broken ones.', '[{"id": "call_nwr_refund", "type": "function", "function": {"name": "issue_refund", "arguments": "{\"reference\": \"NW-10482\", \"amount\": 15.0, \"currency\": \"USD\", \"reason\": \"2 jars damaged in transit\"}"}}]', NULL, 2),
  ('northwind/refund', 5, 'tool', '{"refund_id": "RF-2291", "status": "approved", "amount": 15.0, "currency": "USD"}', NULL, 'call_nwr_refund', 2),
  ('northwind/refund', 6, 'assistant', 'Done: I refunded $15.00 for the two broken jars (refund RF-2291). It shows on your card within 3 to 5 business days. Sorry about the mess!', NULL, NULL, 3),
  ('northwind/refund', 7, 'user', 'Thanks, that was quick. Could you let the warehouse know the box had no padding?', NULL, NULL, 8),
  ('northwind/refund', 8, 'assistant', '', '[{"id": "call_nwr_ticket", "type": "function", "function": {"name": "create_support_ticket", "arguments": "{\"subject\": \"Packing: NW-10482 shipped without padding\", \"priority\": \"normal\", \"description\": \"Customer reports two jars broken; box had no padding.\"}"}}]', NULL, 9),
  ('northwind/refund', 9, 'tool', '{"ticket_id": "T-8812", "queue": "tier-2", "status": "open"}', NULL, 'call_nwr_ticket', 9),
  ('northwind/refund', 10, 'assistant', 'I opened ticket T-8812 for the warehouse team with your note about the padding.', NULL, NULL, 9),

  ('northwind/outreach', 1, 'user', 'Find specialty grocers in Portland we have not contacted since spring and draft a short intro e-mail.', NULL, NULL, 0),
  ('northwind/outreach', 2, 'assistant', '', '[{"id": "call_nwo_crm", "type": "function", "function": {"name": "query_crm", "arguments": "{\"segment\": \"specialty grocer\", \"city\": \"Portland\", \"not_contacted_since\": \"2026-04-01\", \"fields\": [\"name\", \"contact_email\"]}"}}]', NULL, 1),
  ('northwind/outreach', 3, 'tool', '[{"name": "Green Basket Market", "contact_email": "buying@greenbasket.example"}, {"name": "Alder Street Provisions", "contact_email": "owner@alderstreet.example"}]', NULL, 'call_nwo_crm', 1),
  ('northwind/outreach', 4, 'assistant', 'Two grocers match: Green Basket Market and Alder Street Provisions. Draft: "Hi! Northwind supplies small-batch preserves and cheeses to independent grocers across the Northwest, with weekly delivery to Portland. Could we send you a sample box?"', NULL, NULL, 2),
  ('northwind/outreach', 5, 'user', 'Looks good. Send it to both, and book a call with Green Basket next Tuesday at 10.', NULL, NULL, 12),
  ('northwind/outreach', 6, 'assistant', '', '[{"id": "call_nwo_mail1", "type": "function", "function": {"name": "send_email", "arguments": "{\"to\": \"buying@greenbasket.example\", \"subject\": \"Small-batch preserves for Green Basket\", \"body\": \"Hi! Northwind supplies small-batch preserves...\"}"}}, {"id": "call_nwo_mail2", "type": "function", "function": {"name": "send_email", "arguments": "{\"to\": \"owner@alderstreet.example\", \"subject\": \"Small-batch preserves for Alder Street\", \"body\": \"Hi! Northwind supplies small-batch preserves...\"}"}}, {"id": "call_nwo_meet", "type": "function", "function": {"name": "schedule_meeting", "arguments": "{\"attendees\": [\"buying@greenbasket.example\", \"ben@northwind.example\"], \"start\": \"2026-12-08T10:00:00-08:00\", \"duration_minutes\": 30, \"title\": \"Northwind x Green Basket\"}"}}]', NULL, 13),
  ('northwind/outreach', 7, 'tool', '{"message_id": "m-55120", "status": "sent"}', NULL, 'call_nwo_mail1', 13),
  ('northwind/outreach', 8, 'tool', '{"message_id": "m-55121", "status": "sent"}', NULL, 'call_nwo_mail2', 13),
  ('northwind/outreach', 9, 'tool', '{"event_id": "ev-3091", "status": "confirmed"}', NULL, 'call_nwo_meet', 13),
  ('northwind/outreach', 10, 'assistant', 'Both e-mails are sent, and the call with Green Basket is booked for Tuesday 10:00 to 10:30 Pacific.', NULL, NULL, 14),

  ('northwind/invoice', 1, 'user', 'Fjord Foods invoice INV-7731 looks high. Can you check it against what they delivered?', NULL, NULL, 0),
  ('northwind/invoice', 2, 'assistant', '', '[{"id": "call_nwi_invoice", "type": "function", "function": {"name": "get_invoice", "arguments": "{\"invoice_id\": \"INV-7731\"}"}}]', NULL, 1),
  ('northwind/invoice', 3, 'tool', '{"invoice_id": "INV-7731", "supplier": "Fjord Foods", "lines": [{"item": "Smoked salmon 200 g", "invoiced": 120, "delivered": 100, "unit_price": 6.2}], "total": 744.0}', NULL, 'call_nwi_invoice', 1),
  ('northwind/invoice', 4, 'assistant', 'The invoice bills 120 packs of smoked salmon but the delivery note shows 100: an overcharge of 20 x $6.20 = $124.00. Shall I ask Fjord Foods for a credit note?', NULL, NULL, 2),
  ('northwind/invoice', 5, 'user', 'Yes please.', NULL, NULL, 5),
  ('northwind/invoice', 6, 'assistant', '', '[{"id": "call_nwi_mail", "type": "function", "function": {"name": "send_email", "arguments": "{\"to\": \"billing@fjordfoods.example\", \"subject\": \"INV-7731: 20 packs invoiced but not delivered\", \"body\": \"Please send a credit note for $124.00.\"}"}}]', NULL, 6),
  ('northwind/invoice', 7, 'tool', '{"message_id": "m-55002", "status": "sent"}', NULL, 'call_nwi_mail', 6),
  ('northwind/invoice', 8, 'assistant', 'Sent. I will flag INV-7731 as disputed until the credit note arrives.', NULL, NULL, 6),

  ('northwind/release', 1, 'user', 'Draft release notes for storefront 2.14 and file an issue for the flaky checkout test we skipped.', NULL, NULL, 0),
  ('northwind/release', 2, 'assistant', '', '[{"id": "call_nwrel_issue", "type": "function", "function": {"name": "create_github_issue", "arguments": "{\"repository\": \"northwind/storefront\", \"title\": \"Checkout test flaky under parallel runs\", \"labels\": [\"tests\", \"from-agent\"]}"}}]', NULL, 2),
  ('northwind/release', 3, 'tool', '{"number": 812, "url": "https://github.example/northwind/storefront/issues/812"}', NULL, 'call_nwrel_issue', 2),
  ('northwind/release', 4, 'assistant', E'Filed #812 for the flaky checkout test. Release notes for 2.14:\n- Saved carts survive sign-out\n- Faster product search\n- Fixed: wrong tax on gift cards', NULL, NULL, 5),

  ('contoso/intake', 1, 'system', 'Patient data is sensitive: never repeat a full date of birth, and never give medical advice.', NULL, NULL, 0),
  ('contoso/intake', 2, 'user', 'Hello, I just moved to the area and would like to book a first appointment with a general practitioner.', NULL, NULL, 0),
  ('contoso/intake', 3, 'assistant', '', '[{"id": "call_coi_faq", "type": "function", "function": {"name": "search_knowledge_base", "arguments": "{\"query\": \"new patient registration documents\", \"collection\": \"patient-faq\"}"}}]', NULL, 1),
  ('contoso/intake', 4, 'tool', '[{"title": "Registering as a new patient", "snippet": "Bring an ID and your insurance card; the first visit takes 45 minutes."}]', NULL, 'call_coi_faq', 1),
  ('contoso/intake', 5, 'assistant', 'Welcome! A first visit takes about 45 minutes; please bring an ID and your insurance card. Which clinic suits you, Eastside or Harbour?', NULL, NULL, 2),
  ('contoso/intake', 6, 'user', 'Eastside, any weekday morning next week.', NULL, NULL, 10),
  ('contoso/intake', 7, 'assistant', '', '[{"id": "call_coi_book", "type": "function", "function": {"name": "schedule_meeting", "arguments": "{\"attendees\": [\"elias@contoso.example\"], \"start\": \"2026-12-09T09:00:00+01:00\", \"duration_minutes\": 45, \"title\": \"First appointment, Eastside\"}"}}]', NULL, 11),
  ('contoso/intake', 8, 'tool', '{"event_id": "ev-7781", "status": "confirmed", "clinic": "Eastside"}', NULL, 'call_coi_book', 11),
  ('contoso/intake', 9, 'assistant', 'You are booked at Eastside on Wednesday at 09:00. You will get a reminder the day before.', NULL, NULL, 12),

  ('contoso/billing', 1, 'user', 'My March statement shows the same consultation twice (invoice C-2031).', NULL, NULL, 0),
  ('contoso/billing', 2, 'assistant', '', '[{"id": "call_cob_invoice", "type": "function", "function": {"name": "get_invoice", "arguments": "{\"invoice_id\": \"C-2031\"}"}}]', NULL, 1),
  ('contoso/billing', 3, 'tool', '{"invoice_id": "C-2031", "lines": [{"item": "Consultation", "date": "2026-03-14", "amount": 42.0}, {"item": "Consultation", "date": "2026-03-14", "amount": 42.0}], "currency": "EUR"}', NULL, 'call_cob_invoice', 1),
  ('contoso/billing', 4, 'assistant', '', '[{"id": "call_cob_refund", "type": "function", "function": {"name": "issue_refund", "arguments": "{\"reference\": \"C-2031\", \"amount\": 42.0, \"currency\": \"EUR\", \"reason\": \"duplicate consultation line\"}"}}]', NULL, 2),
  ('contoso/billing', 5, 'tool', '{"refund_id": "RF-C-118", "status": "approved", "amount": 42.0, "currency": "EUR"}', NULL, 'call_cob_refund', 2),
  ('contoso/billing', 6, 'assistant', 'You are right: the consultation on 14 March was billed twice. I refunded EUR 42.00 (RF-C-118).', NULL, NULL, 7),

  ('contoso/hiring', 1, 'user', 'We need two pediatric nurses for the Eastside clinic before it opens. Who do we have?', NULL, NULL, 0),
  ('contoso/hiring', 2, 'assistant', '', '[{"id": "call_coh_search", "type": "function", "function": {"name": "search_candidates", "arguments": "{\"skills\": [\"pediatric nursing\"], \"location\": \"Stockholm\", \"seniority\": \"mid\"}"}}]', NULL, 1),
  ('contoso/hiring', 3, 'tool', '[{"name": "Maja Lind", "experience_years": 6}, {"name": "Omar Haddad", "experience_years": 4}, {"name": "Sofia Nilsson", "experience_years": 9}]', NULL, 'call_coh_search', 1),
  ('contoso/hiring', 4, 'assistant', 'Three candidates match: Sofia Nilsson (9 years), Maja Lind (6) and Omar Haddad (4). Shall I schedule first interviews with all three?', NULL, NULL, 5);
)sql";
}

const char* Memories() {
  return R"sql(
INSERT INTO public.user_memory
  (id, tenant_id, user_id, memory_type, key, value, confidence_score, source, source_conversation_id, metadata, expires_at)
SELECT pg_temp.demo_id('memory:' || m.email || '/' || m.key), pg_temp.demo_tenant(m.tenant), pg_temp.demo_user(m.email),
       m.memory_type, m.key, m.value, m.confidence, m.source,
       (SELECT c.id FROM public.conversations c WHERE c.id = pg_temp.demo_id('conversation:' || m.conversation)),
       m.metadata::jsonb, now() + m.expires_in_days * interval '1 day'
FROM (VALUES
  ('northwind', 'chloe@northwind.example', 'preference', 'contact_channel', 'Prefers e-mail over phone calls for order problems', 0.9::real, 'conversation', 'northwind/refund', NULL::integer, '{"extracted_by": "northwind/support"}'),
  ('northwind', 'chloe@northwind.example', 'history', 'refund_nw_10482', 'Refunded $15.00 for two jars damaged in transit (RF-2291)', 1.0, 'tool:issue_refund', 'northwind/refund', NULL, '{}'),
  ('northwind', 'chloe@northwind.example', 'context', 'current_release', 'Preparing the storefront 2.14 release', 0.8, 'conversation', 'northwind/release', 14, '{}'),
  ('northwind', 'ben@northwind.example', 'goal', 'q3_pipeline', 'Book 20 intro calls with Northwest specialty grocers this quarter', 0.95, 'user', NULL, 90, '{}'),
  ('northwind', 'ben@northwind.example', 'preference', 'meeting_times', 'Prefers calls before noon Pacific time', 0.7, 'inferred', 'northwind/outreach', NULL, '{"evidence_count": 3}'),
  ('northwind', 'ben@northwind.example', 'fact', 'territory', 'Covers accounts in Oregon and Washington', 1.0, 'profile', NULL, NULL, '{}'),
  ('northwind', 'ada@northwind.example', 'fact', 'refund_approval', 'Approves refunds above $100', 1.0, 'admin', NULL, NULL, '{}'),
  ('northwind', 'ada@northwind.example', 'context', 'open_dispute', 'Waiting for a Fjord Foods credit note for INV-7731 ($124.00)', 0.85, 'conversation', 'northwind/invoice', 30, '{}'),
  ('contoso', 'dana@contoso.example', 'goal', 'eastside_staffing', 'Hire two pediatric nurses before the Eastside clinic opens', 0.9, 'conversation', 'contoso/hiring', 120, '{}'),
  ('contoso', 'dana@contoso.example', 'preference', 'summary_style', 'Bullet-point summaries of at most five items', 0.8, 'inferred', NULL, NULL, '{"evidence_count": 5}'),
  ('contoso', 'dana@contoso.example', 'history', 'refund_c_2031', 'Refunded a duplicate consultation charge of EUR 42.00 (RF-C-118)', 1.0, 'tool:issue_refund', 'contoso/billing', NULL, '{}'),
  ('contoso', 'elias@contoso.example', 'fact', 'home_clinic', 'Registered at the Eastside clinic', 0.9, 'conversation', 'contoso/intake', NULL, '{}'),
  ('contoso', 'elias@contoso.example', 'context', 'first_appointment', 'First appointment at Eastside on Wednesday 09:00', 1.0, 'tool:schedule_meeting', 'contoso/intake', 21, '{}'),
  ('contoso', 'elias@contoso.example', 'preference', 'language', 'Happy to be answered in English or Swedish', 0.6, 'inferred', NULL, NULL, '{}')
) AS m(tenant, email, memory_type, key, value, confidence, source, conversation, expires_in_days, metadata)
WHERE pg_temp.demo_user(m.email) IS NOT NULL
ON CONFLICT DO NOTHING;
)sql";
}

}  // namespace agentbase::app::demo_sql
