-- One message, alternately into the two tenants' conversations (bench.seq's
-- parity picks the tenant); its content names the phase and the sequence
-- number, so every subscriber can check what it got. pgbench -D phase=K.
INSERT INTO public.messages (tenant_id, conversation_id, role, content)
SELECT c.tenant_id, c.id, 'user', 'bench ' || :phase || ' ' || s.n
FROM (SELECT nextval('bench.seq') AS n) s
JOIN bench.conversations c ON c.k = s.n % 2;
