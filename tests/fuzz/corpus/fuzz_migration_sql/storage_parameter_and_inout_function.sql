-- agentbase:mode ensure
CREATE TABLE public.t (
  id uuid NOT NULL,
  CONSTRAINT t_pkey PRIMARY KEY (id)
);
ALTER TABLE public.t SET (toast_tuple_target = 8160);
ALTER TABLE public.t SET (autovacuum_enabled = false);
CREATE FUNCTION public.f(INOUT k text, OUT id uuid) LANGUAGE plpgsql AS $$ BEGIN id := NULL; END $$;
