-- agentbase:mode if-absent
-- Row level security, triggers and links for the existing tables, so that no
-- path around the five new tables leaks across tenants. Like everything in
-- 10_existing_tables.sql, each object here is created only together with its
-- table: the user's own tables are never altered.

ALTER TABLE public.tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenants_select_member ON public.tenants
  FOR SELECT TO authenticated
  USING (id = (SELECT agentbase.current_tenant_id()));
CREATE TRIGGER tenants_set_updated_at BEFORE UPDATE ON public.tenants
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY profiles_select_same_tenant ON public.profiles
  FOR SELECT TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE POLICY profiles_update_own ON public.profiles
  FOR UPDATE TO authenticated
  USING (id = (SELECT auth.uid()))
  WITH CHECK (id = (SELECT auth.uid()) AND tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE TRIGGER profiles_set_updated_at BEFORE UPDATE ON public.profiles
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

ALTER TABLE public.departments ENABLE ROW LEVEL SECURITY;
CREATE POLICY departments_select_public ON public.departments
  FOR SELECT TO anon, authenticated
  USING (true);
-- Writes follow the rule of the other shared organisation data
-- (agentbase.org_write_rule() in 20_missing_tables.sql).
CREATE POLICY departments_insert_authenticated ON public.departments
  FOR INSERT TO authenticated
  WITH CHECK ((SELECT agentbase.org_write_rule()) = 'authenticated' OR (SELECT agentbase.current_user_is_tenant_admin()));
CREATE POLICY departments_update_authenticated ON public.departments
  FOR UPDATE TO authenticated
  USING ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('departments')))
  WITH CHECK ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('departments')));
CREATE POLICY departments_delete_authenticated ON public.departments
  FOR DELETE TO authenticated
  USING ((SELECT agentbase.org_write_rule()) = 'authenticated' OR id IN (SELECT agentbase.org_rows_caller_may_change('departments')));
CREATE TRIGGER departments_record_owner AFTER INSERT OR UPDATE OF id OR DELETE ON public.departments
  FOR EACH ROW EXECUTE FUNCTION agentbase.record_org_row_owner();
CREATE TRIGGER departments_guard_shared_rows BEFORE UPDATE OF id, slug OR DELETE ON public.departments
  FOR EACH ROW EXECUTE FUNCTION agentbase.refuse_changing_org_rows_others_use();
CREATE TRIGGER departments_set_updated_at BEFORE UPDATE ON public.departments
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

ALTER TABLE public.tools ENABLE ROW LEVEL SECURITY;
CREATE POLICY tools_select_public ON public.tools
  FOR SELECT TO anon, authenticated
  USING (true);
CREATE TRIGGER tools_set_updated_at BEFORE UPDATE ON public.tools
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

ALTER TABLE public.agents ADD CONSTRAINT agents_organizational_role_id_fkey
  FOREIGN KEY (organizational_role_id) REFERENCES public.organizational_roles (id) ON DELETE SET NULL;
ALTER TABLE public.agents ADD CONSTRAINT agents_business_function_id_fkey
  FOREIGN KEY (business_function_id) REFERENCES public.business_functions (id) ON DELETE SET NULL;
CREATE INDEX agents_organizational_role_id_idx ON public.agents (organizational_role_id);
CREATE INDEX agents_business_function_id_idx ON public.agents (business_function_id);
ALTER TABLE public.agents ENABLE ROW LEVEL SECURITY;
CREATE POLICY agents_select_same_tenant ON public.agents
  FOR SELECT TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE POLICY agents_insert_same_tenant ON public.agents
  FOR INSERT TO authenticated
  WITH CHECK (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE POLICY agents_update_same_tenant ON public.agents
  FOR UPDATE TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()))
  WITH CHECK (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE POLICY agents_delete_same_tenant ON public.agents
  FOR DELETE TO authenticated
  USING (tenant_id = (SELECT agentbase.current_tenant_id()));
CREATE TRIGGER agents_set_updated_at BEFORE UPDATE ON public.agents
  FOR EACH ROW EXECUTE FUNCTION agentbase.set_updated_at();

-- Messages are readable by whoever can read their conversation; the owner
-- appends user messages, and service_role (which bypasses RLS) appends the
-- agent's. History is not edited by users.
ALTER TABLE public.messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_select_visible_conversation ON public.messages
  FOR SELECT TO authenticated
  USING (
    tenant_id = (SELECT agentbase.current_tenant_id())
    AND EXISTS (SELECT 1 FROM public.conversations c WHERE c.id = messages.conversation_id)
  );
CREATE POLICY messages_insert_own_conversation ON public.messages
  FOR INSERT TO authenticated
  WITH CHECK (
    role = 'user'
    AND tenant_id = (SELECT agentbase.current_tenant_id())
    AND EXISTS (
      SELECT 1 FROM public.conversations c
      WHERE c.id = messages.conversation_id AND c.user_id = (SELECT auth.uid())
    )
  );
