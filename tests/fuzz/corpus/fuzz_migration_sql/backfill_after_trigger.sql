-- agentbase:mode if-absent
CREATE TABLE public.t (
  id uuid NOT NULL,
  CONSTRAINT t_pkey PRIMARY KEY (id)
);
CREATE FUNCTION public.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER t_f AFTER INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.f();
SELECT public.fill();
SELECT public.fill_more();
