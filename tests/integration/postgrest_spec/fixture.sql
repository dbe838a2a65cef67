-- The schema and rows the ported PostgREST spec cases run on (see
-- postgrest_spec_test.cpp). Written for these cases: table, column,
-- constraint and function names, and the rows, are what the cases' requests
-- and expected answers need. Schema `test` is the exposed one; `private`
-- holds what must stay hidden (bases of views, an internal junction).
-- Loaded once into a fresh database after `agentbase db push`, so the
-- Supabase roles (anon, authenticated, authenticator) exist.

CREATE SCHEMA test;
CREATE SCHEMA private;
CREATE SCHEMA v1;
CREATE SCHEMA v2;
SET search_path = test, public;
-- Everything created in the exposed schemas is open to the API roles;
-- `private` is not (views over it run as their owner).
GRANT USAGE ON SCHEMA test, v1, v2 TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA test, v1, v2 GRANT ALL ON TABLES TO anon, authenticated;
ALTER DEFAULT PRIVILEGES IN SCHEMA test, v1, v2 GRANT ALL ON SEQUENCES TO anon, authenticated;

-- ---------------------------------------------------------------------------
-- clients, projects, tasks, users: the classic embedding chain
-- ---------------------------------------------------------------------------
CREATE TABLE clients (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects (
  id integer PRIMARY KEY,
  name text NOT NULL,
  client_id integer CONSTRAINT client REFERENCES clients (id)
);
CREATE TABLE tasks (
  id integer PRIMARY KEY,
  name text NOT NULL,
  project_id integer CONSTRAINT project REFERENCES projects (id)
);
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE users_tasks (
  user_id integer NOT NULL REFERENCES users (id),
  task_id integer NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (task_id, user_id)
);
CREATE TABLE comments (
  id integer PRIMARY KEY,
  commenter_id integer NOT NULL,
  user_id integer NOT NULL,
  task_id integer NOT NULL,
  content text NOT NULL,
  CONSTRAINT "user" FOREIGN KEY (commenter_id) REFERENCES users (id),
  CONSTRAINT comments_task_id_fkey FOREIGN KEY (task_id, user_id) REFERENCES users_tasks (task_id, user_id)
);
CREATE TABLE files (
  project_id integer NOT NULL,
  filename text NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (project_id, filename)
);
CREATE TABLE touched_files (
  user_id integer NOT NULL,
  task_id integer NOT NULL,
  project_id integer NOT NULL,
  filename text NOT NULL,
  CONSTRAINT fk_users_tasks FOREIGN KEY (user_id, task_id) REFERENCES users_tasks (user_id, task_id),
  CONSTRAINT fk_upload FOREIGN KEY (project_id, filename) REFERENCES files (project_id, filename),
  PRIMARY KEY (user_id, task_id, project_id, filename)
);
CREATE VIEW projects_view AS SELECT id, name, client_id FROM projects;
CREATE VIEW projects_view_alt AS SELECT id AS t_id, name, client_id AS t_client_id FROM projects;
CREATE VIEW projects_count_grouped_by AS
  SELECT client_id, count(*) AS number_of_projects FROM projects GROUP BY client_id;

INSERT INTO clients VALUES (1, 'Microsoft'), (2, 'Apple');
INSERT INTO projects VALUES (1, 'Windows 7', 1), (2, 'Windows 10', 1), (3, 'IOS', 2), (4, 'OSX', 2), (5, 'Orphan', NULL);
INSERT INTO tasks VALUES
  (1, 'Design w7', 1), (2, 'Code w7', 1), (3, 'Design w10', 2), (4, 'Code w10', 2),
  (5, 'Design IOS', 3), (6, 'Code IOS', 3), (7, 'Design OSX', 4), (8, 'Code OSX', 4);
INSERT INTO users VALUES (1, 'Angela Martin'), (2, 'Michael Scott'), (3, 'Dwight Schrute');
INSERT INTO users_tasks (user_id, task_id) VALUES (1, 1), (1, 2), (1, 3), (1, 4), (2, 5), (2, 6), (2, 7), (3, 1), (3, 5);
INSERT INTO comments VALUES (1, 1, 2, 6, 'Needs to be delivered ASAP');
INSERT INTO files VALUES
  (1, 'command.com', '#include <unix.h>'), (1, 'autoexec.bat', '@ECHO OFF'), (1, 'io.sys', 'TODO'),
  (2, 'README.md', '# make $$$!'), (2, 'marketing.key', '$-$');
INSERT INTO touched_files VALUES
  (1, 1, 1, 'command.com'), (1, 1, 1, 'autoexec.bat'), (1, 1, 2, 'README.md'), (3, 1, 1, 'autoexec.bat');

-- ---------------------------------------------------------------------------
-- sites and big projects: o2m and m2m (through a table and a view) at once
-- ---------------------------------------------------------------------------
CREATE TABLE big_projects (big_project_id serial PRIMARY KEY, name text);
CREATE TABLE sites (
  site_id serial PRIMARY KEY,
  name text,
  main_project_id integer CONSTRAINT main_project REFERENCES big_projects (big_project_id)
);
CREATE TABLE jobs (
  job_id uuid,
  name text,
  site_id integer NOT NULL REFERENCES sites (site_id),
  big_project_id integer NOT NULL REFERENCES big_projects (big_project_id),
  PRIMARY KEY (job_id, site_id, big_project_id)
);
CREATE VIEW main_jobs AS
  SELECT * FROM jobs WHERE site_id IN (SELECT site_id FROM sites WHERE main_project_id IS NOT NULL);
CREATE VIEW private.priv_jobs AS SELECT * FROM jobs;
INSERT INTO big_projects VALUES (1, 'big project 1'), (2, 'big project 2');
INSERT INTO sites VALUES (1, 'site 1', 1), (2, 'site 2', NULL), (3, 'site 3', 2), (4, 'site 4', NULL);
INSERT INTO jobs VALUES
  ('bc5d5362-b881-438f-b9f5-7417e08704ed', 'job 1-1', 1, 1),
  ('3bd52697-033b-4edd-8a28-46a9c04b7c1e', 'job 2-1', 2, 1),
  ('e6e67e4e-19b1-11e9-ab14-d663bd873d93', 'job 2-2', 2, 2);

-- A junction with two foreign keys to each side: four m2m paths.
CREATE TABLE whatev_projects (id serial PRIMARY KEY, name text);
CREATE TABLE whatev_sites (id serial PRIMARY KEY, name text);
-- As PostgREST's fixture: the primary key holds all four keys' columns, so
-- sites and projects relate many-to-many four ways through the jobs.
CREATE TABLE whatev_jobs (
  job_id uuid,
  name text,
  site_id_1 integer NOT NULL REFERENCES whatev_sites (id),
  project_id_1 integer NOT NULL REFERENCES whatev_projects (id),
  site_id_2 integer NOT NULL REFERENCES whatev_sites (id),
  project_id_2 integer NOT NULL REFERENCES whatev_projects (id),
  PRIMARY KEY (job_id, site_id_1, project_id_1, site_id_2, project_id_2)
);

-- agents and departments reference each other.
CREATE TABLE departments (id integer PRIMARY KEY, name text, head_id integer);
CREATE TABLE agents (id integer PRIMARY KEY, name text, department_id integer REFERENCES departments (id));
ALTER TABLE departments ADD CONSTRAINT departments_head_id_fkey FOREIGN KEY (head_id) REFERENCES agents (id);

-- Two one-to-one keys from first to second.
CREATE TABLE second (id integer PRIMARY KEY, name text);
CREATE TABLE first (
  id integer PRIMARY KEY,
  name text,
  second_id_1 integer UNIQUE REFERENCES second (id),
  second_id_2 integer UNIQUE REFERENCES second (id)
);

-- ---------------------------------------------------------------------------
-- one-to-one: a primary key that is a foreign key, and a unique foreign key
-- ---------------------------------------------------------------------------
CREATE TABLE students (id integer, code text, name text, PRIMARY KEY (id, code));
CREATE TABLE students_info (
  id integer,
  code text,
  address text,
  PRIMARY KEY (id, code),
  FOREIGN KEY (code, id) REFERENCES students (code, id) ON DELETE CASCADE
);
CREATE TABLE country (id integer PRIMARY KEY, name text);
CREATE TABLE capital (id integer PRIMARY KEY, name text, country_id integer UNIQUE REFERENCES country (id));
CREATE VIEW students_view AS SELECT * FROM students;
CREATE VIEW students_info_view AS SELECT * FROM students_info;
INSERT INTO students VALUES (1, '0001', 'John Doe'), (2, '0002', 'Jane Doe');
INSERT INTO students_info VALUES (1, '0001', 'Street 1'), (2, '0002', 'Street 2');
INSERT INTO country VALUES (1, 'Afghanistan'), (2, 'Algeria');
INSERT INTO capital VALUES (1, 'Kabul', 1), (2, 'Algiers', 2);

-- ---------------------------------------------------------------------------
-- two keys to the same table; people and messages
-- ---------------------------------------------------------------------------
CREATE TABLE addresses (id integer NOT NULL UNIQUE, address text NOT NULL);
CREATE TABLE orders (
  id integer NOT NULL UNIQUE,
  name text NOT NULL,
  billing_address_id integer CONSTRAINT billing REFERENCES addresses (id),
  shipping_address_id integer CONSTRAINT shipping REFERENCES addresses (id)
);
INSERT INTO addresses VALUES (1, 'address 1'), (2, 'address 2'), (3, 'address 3'), (4, 'address 4');
INSERT INTO orders VALUES (1, 'order 1', 1, 2), (2, 'order 2', 3, 4);

CREATE TABLE person (id integer PRIMARY KEY, name varchar NOT NULL);
CREATE TABLE message (
  id integer PRIMARY KEY,
  body text NOT NULL DEFAULT '',
  sender bigint NOT NULL REFERENCES person (id),
  recipient bigint NOT NULL REFERENCES person (id)
);
CREATE VIEW person_detail AS
  SELECT p.id, p.name, s.n AS sent, r.n AS received
  FROM person p
  JOIN LATERAL (SELECT m.sender, count(m.id) AS n FROM message m GROUP BY m.sender) s ON s.sender = p.id
  JOIN LATERAL (SELECT m.recipient, count(m.id) AS n FROM message m GROUP BY m.recipient) r ON r.recipient = p.id;
INSERT INTO person VALUES (1, 'John'), (2, 'Jane'), (3, 'Jake'), (4, 'Julie');
INSERT INTO message VALUES
  (1, 'Hello Jane', 1, 2), (2, 'Hi John', 2, 1), (3, 'How are you doing?', 1, 2),
  (4, 'Hey Julie', 3, 4), (5, 'What''s up Jake', 4, 3);

CREATE TABLE space (id integer PRIMARY KEY, name text);
CREATE TABLE zone (id integer PRIMARY KEY, name text, zone_type_id integer, space_id integer REFERENCES space (id));
INSERT INTO space VALUES (1, 'space 1');
INSERT INTO zone VALUES (1, 'zone 1', 2, 1), (2, 'zone 2', 2, 1), (3, 'store 3', 3, 1), (4, 'store 4', 3, 1);

-- ---------------------------------------------------------------------------
-- self references
-- ---------------------------------------------------------------------------
CREATE TABLE family_tree (id text PRIMARY KEY, name text NOT NULL, parent text);
ALTER TABLE family_tree ADD CONSTRAINT pptr FOREIGN KEY (parent) REFERENCES family_tree (id);
INSERT INTO family_tree VALUES
  ('1', 'Parental Unit', NULL), ('2', 'Kid One', '1'), ('3', 'Kid Two', '1'),
  ('4', 'Grandkid One', '2'), ('5', 'Grandkid Two', '3');

CREATE TABLE managers (id integer PRIMARY KEY, name text);
CREATE TABLE organizations (
  id integer PRIMARY KEY,
  name text,
  referee integer REFERENCES organizations (id),
  auditor integer REFERENCES organizations (id),
  manager_id integer CONSTRAINT manager REFERENCES managers (id)
);
INSERT INTO managers VALUES
  (1, 'Referee Manager'), (2, 'Auditor Manager'), (3, 'Acme Manager'),
  (4, 'Umbrella Manager'), (5, 'Cyberdyne Manager'), (6, 'Oscorp Manager');
INSERT INTO organizations VALUES
  (1, 'Referee Org', NULL, NULL, 1), (2, 'Auditor Org', NULL, NULL, 2), (3, 'Acme', 1, 2, 3),
  (4, 'Umbrella', 1, 2, 4), (5, 'Cyberdyne', 3, 4, 5), (6, 'Oscorp', 3, 4, 6);

CREATE TABLE private.internal_job (id integer PRIMARY KEY, parent_id integer REFERENCES private.internal_job (id));
CREATE VIEW job AS SELECT id, parent_id FROM private.internal_job;
INSERT INTO private.internal_job VALUES (1, NULL), (2, 1);

CREATE TABLE test.test (id bigint PRIMARY KEY, parent_id bigint CONSTRAINT parent_test REFERENCES test.test (id));
CREATE VIEW view_test AS SELECT id FROM test.test;
INSERT INTO test.test VALUES (1, NULL), (2, 1);

-- ---------------------------------------------------------------------------
-- entities: three levels of children
-- ---------------------------------------------------------------------------
CREATE TABLE entities (id integer PRIMARY KEY, name text, arr integer[], text_search_vector tsvector);
CREATE TABLE child_entities (id integer PRIMARY KEY, name text, parent_id integer REFERENCES entities (id));
CREATE TABLE grandchild_entities (
  id integer PRIMARY KEY,
  name text,
  parent_id integer REFERENCES child_entities (id),
  or_starting_col text,
  and_starting_col text,
  jsonb_col jsonb
);
INSERT INTO entities VALUES
  (1, 'entity 1', '{1}', 'foo:1 bar:2'), (2, 'entity 2', '{1,2}', 'baz:1 qux:2'),
  (3, 'entity 3', '{1,2,3}', NULL), (4, NULL, NULL, NULL);
INSERT INTO child_entities VALUES
  (1, 'child entity 1', 1), (2, 'child entity 2', 1), (3, 'child entity 3', 2),
  (4, 'child entity 4', 1), (5, 'child entity 5', 1), (6, 'child entity 6', 2);
INSERT INTO grandchild_entities VALUES
  (1, 'grandchild entity 1', 1, NULL, NULL, NULL), (2, 'grandchild entity 2', 1, NULL, NULL, NULL),
  (3, 'grandchild entity 3', 2, NULL, NULL, NULL), (4, '(grandchild,entity,4)', 2, NULL, NULL, '{"a": {"b": "foo"}}'),
  (5, '(grandchild,entity,5)', 2, NULL, NULL, '{"b": "bar"}');

-- ---------------------------------------------------------------------------
-- books and authors: views over private tables
-- ---------------------------------------------------------------------------
CREATE TABLE private.authors (id integer PRIMARY KEY, name text);
CREATE TABLE private.publishers (id integer PRIMARY KEY, name text);
CREATE TABLE private.books (
  id integer PRIMARY KEY,
  title text,
  publication_year smallint,
  author_id integer REFERENCES private.authors (id),
  first_publisher_id integer REFERENCES private.publishers (id)
);
CREATE VIEW authors AS SELECT id, name FROM private.authors;
CREATE VIEW publishers AS SELECT id, name FROM private.publishers;
CREATE VIEW books AS SELECT id, title, publication_year, author_id, first_publisher_id FROM private.books;
CREATE VIEW forties_books AS
  SELECT id, title, publication_year, author_id FROM private.books WHERE publication_year BETWEEN 1940 AND 1949;
CREATE VIEW fifties_books AS
  SELECT id, title, publication_year, author_id FROM private.books WHERE publication_year BETWEEN 1950 AND 1959;
CREATE VIEW sixties_books AS
  SELECT id, title, publication_year, author_id FROM private.books WHERE publication_year BETWEEN 1960 AND 1969;
CREATE VIEW authors_books_number AS
  SELECT a.id, a.name,
    (SELECT count(*) FROM forties_books f WHERE f.author_id = a.id) AS num_in_forties,
    (SELECT count(*) FROM fifties_books f WHERE f.author_id = a.id) AS num_in_fifties,
    (SELECT count(*) FROM sixties_books f WHERE f.author_id = a.id) AS num_in_sixties,
    (SELECT count(*) FROM books b WHERE b.author_id = a.id) AS num_in_all_decades
  FROM private.authors a;
CREATE VIEW forties_and_fifties_books AS
  SELECT x.id, x.title, x.publication_year, y.name AS first_publisher, x.author_id
  FROM (SELECT * FROM books WHERE publication_year BETWEEN 1940 AND 1959) x
  JOIN private.publishers y ON y.id = x.first_publisher_id;
CREATE VIEW odd_years_publications AS
  WITH odd AS (SELECT b.id, b.title, b.publication_year, p.name AS first_publisher, b.author_id
               FROM private.books b JOIN private.publishers p ON p.id = b.first_publisher_id
               WHERE b.publication_year % 2 <> 0)
  SELECT * FROM odd;
INSERT INTO private.authors VALUES
  (1, 'George Orwell'), (2, 'Anne Frank'), (3, 'Antoine de Saint-Exupéry'), (4, 'J.D. Salinger'),
  (5, 'Ray Bradbury'), (6, 'William Golding'), (7, 'Harper Lee'), (8, 'Kurt Vonnegut'), (9, 'Ken Kesey'),
  (10, 'Fyodor Dostoevsky');
INSERT INTO private.publishers VALUES
  (1, 'Secker & Warburg'), (2, 'Contact Publishing'), (3, 'Reynal & Hitchcock'), (4, 'Little, Brown and Company'),
  (5, 'Ballantine Books'), (6, 'Faber and Faber'), (7, 'J. B. Lippincott & Co.'), (8, 'Delacorte'),
  (9, 'Viking Press & Signet Books');
INSERT INTO private.books VALUES
  (1, '1984', 1949, 1, 1), (2, 'The Diary of a Young Girl', 1947, 2, 2), (3, 'The Little Prince', 1947, 3, 3),
  (4, 'The Catcher in the Rye', 1951, 4, 4), (5, 'Farenheit 451', 1953, 5, 5), (6, 'Lord of the Flies', 1954, 6, 6),
  (7, 'To Kill a Mockingbird', 1960, 7, 7), (8, 'Slaughterhouse-Five', 1969, 8, 8),
  (9, 'One Flew Over the Cuckoo''s Nest', 1962, 9, 9), (10, 'Crime and Punishment', 1866, 10, NULL);

-- ---------------------------------------------------------------------------
-- many-to-many
-- ---------------------------------------------------------------------------
CREATE TABLE users_projects (
  user_id integer NOT NULL REFERENCES users (id),
  project_id integer NOT NULL REFERENCES projects (id),
  PRIMARY KEY (project_id, user_id)
);
INSERT INTO users_projects (user_id, project_id) VALUES (1, 1), (1, 2), (2, 3), (2, 4), (3, 1), (3, 3);

CREATE TABLE products (id integer PRIMARY KEY, name text);
CREATE TABLE suppliers (id integer PRIMARY KEY, name text);
CREATE TABLE products_suppliers (
  product_id integer REFERENCES products (id),
  supplier_id integer REFERENCES suppliers (id),
  PRIMARY KEY (product_id, supplier_id)
);
CREATE TABLE trade_unions (id integer PRIMARY KEY, name text);
CREATE TABLE suppliers_trade_unions (
  supplier_id integer REFERENCES suppliers (id),
  trade_union_id integer REFERENCES trade_unions (id),
  PRIMARY KEY (supplier_id, trade_union_id)
);
INSERT INTO products VALUES (1, 'product-1'), (2, 'product-2'), (3, 'product-3');
INSERT INTO suppliers VALUES (1, 'supplier-1'), (2, 'supplier-2'), (3, 'supplier-3');
INSERT INTO products_suppliers VALUES (1, 1), (1, 2), (2, 1), (2, 3);
INSERT INTO trade_unions VALUES (1, 'union-1'), (2, 'union-2'), (3, 'union-3'), (4, 'union-4');
INSERT INTO suppliers_trade_unions VALUES (1, 1), (1, 2), (2, 3), (2, 4);

-- A private junction exposed through views.
CREATE TABLE private.actors (id integer CONSTRAINT actors_id PRIMARY KEY, name text);
CREATE TABLE private.films (id integer CONSTRAINT films_id PRIMARY KEY, title text);
CREATE TABLE private.personnages (
  film_id integer NOT NULL CONSTRAINT personnages_film_id_fkey REFERENCES private.films (id),
  role_id integer NOT NULL CONSTRAINT personnages_role_id_fkey REFERENCES private.actors (id),
  character text NOT NULL,
  CONSTRAINT personnages_film_id_role_id PRIMARY KEY (film_id, role_id)
);
CREATE VIEW actors AS SELECT * FROM private.actors;
CREATE VIEW films AS SELECT * FROM private.films;
CREATE VIEW personnages AS SELECT * FROM private.personnages;
INSERT INTO private.actors VALUES (1, 'john'), (2, 'mary');
INSERT INTO private.films VALUES (12, 'douze commandements'), (2001, 'odyssée de l''espace');
INSERT INTO private.personnages VALUES (12, 1, 'méchant'), (2001, 2, 'astronaute');

-- A junction only in the private schema: no m2m between end_1 and end_2.
CREATE TABLE end_1 (id integer PRIMARY KEY, name text);
CREATE TABLE end_2 (id integer PRIMARY KEY, name text);
CREATE TABLE private.junction (
  end_1_id integer NOT NULL REFERENCES end_1 (id),
  end_2_id integer NOT NULL REFERENCES end_2 (id),
  PRIMARY KEY (end_1_id, end_2_id)
);
-- A private junction with an exposed (unrelated) homonym.
CREATE TABLE schauspieler (id integer PRIMARY KEY, name text);
CREATE TABLE filme (id integer PRIMARY KEY, titel text);
CREATE TABLE rollen ();
CREATE TABLE private.rollen (
  film_id integer NOT NULL REFERENCES filme (id),
  rolle_id integer NOT NULL REFERENCES schauspieler (id),
  charakter text NOT NULL,
  PRIMARY KEY (film_id, rolle_id)
);

-- ---------------------------------------------------------------------------
-- articles and stars: views with renamed keys over private tables
-- ---------------------------------------------------------------------------
CREATE TABLE private.articles (id integer PRIMARY KEY, body text, owner name NOT NULL);
CREATE TABLE private.article_stars (
  article_id integer NOT NULL CONSTRAINT article REFERENCES private.articles (id),
  user_id integer NOT NULL CONSTRAINT "user" REFERENCES users (id),
  created_at timestamp NOT NULL DEFAULT now(),
  PRIMARY KEY (article_id, user_id)
);
CREATE VIEW "articleStars" AS
  SELECT article_id AS "articleId", user_id AS "userId", created_at AS "createdAt" FROM private.article_stars;
CREATE VIEW articles AS SELECT id, body, owner FROM private.articles;
INSERT INTO private.articles VALUES
  (1, 'No… It''s a thing; it''s like a plan, but with more greatness.', 'diogo'),
  (2, 'Stop talking, brain thinking. Hush.', 'diogo'),
  (3, 'It''s a fez. I wear a fez now. Fezes are cool.', 'diogo');
INSERT INTO private.article_stars VALUES
  (1, 1, '2015-12-08 04:22:57.472738'), (1, 2, '2015-12-08 04:22:57.472738'), (2, 3, '2015-12-08 04:22:57.472738'),
  (3, 2, '2015-12-08 04:22:57.472738'), (1, 3, '2015-12-08 04:22:57.472738');

-- A client with several one-to-many children.
CREATE TABLE client (id integer PRIMARY KEY, name text);
CREATE TABLE contact (id integer PRIMARY KEY, name text, clientid integer REFERENCES client (id));
CREATE TABLE clientinfo (id serial PRIMARY KEY, clientid integer REFERENCES client (id), other text);
INSERT INTO client VALUES (1, 'Walmart'), (2, 'Target'), (3, 'Big Lots');
INSERT INTO contact VALUES
  (1, 'Wally Walton', 1), (2, 'Wilma Wellers', 1), (3, 'Tabby Targo', 2),
  (4, 'Bobby Bots', 3), (5, 'Bonnie Bits', 3), (6, 'Billy Boats', 3);
INSERT INTO clientinfo VALUES (1, 1, '123 Main St'), (2, 2, '456 South 3rd St'), (3, 3, '789 Palm Tree Ln');

-- ---------------------------------------------------------------------------
-- more self references, junction views, views over public tables
-- ---------------------------------------------------------------------------
CREATE TABLE posters (id integer PRIMARY KEY, name text);
CREATE TABLE subscriptions (
  subscriber integer REFERENCES posters (id),
  subscribed integer REFERENCES posters (id),
  PRIMARY KEY (subscriber, subscribed)
);
INSERT INTO posters VALUES (1, 'Mark'), (2, 'Elon'), (3, 'Bill'), (4, 'Jeff');
INSERT INTO subscriptions VALUES (3, 1), (4, 1), (1, 2);

CREATE TABLE private.screens (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'new screen');
CREATE TABLE private.labels (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'new label');
CREATE TABLE private.label_screen (
  label_id integer NOT NULL REFERENCES private.labels (id),
  screen_id integer NOT NULL REFERENCES private.screens (id),
  CONSTRAINT label_screen_pkey PRIMARY KEY (label_id, screen_id)
);
CREATE VIEW labels AS SELECT * FROM private.labels;
CREATE VIEW screens AS SELECT * FROM private.screens;
CREATE VIEW label_screen AS SELECT * FROM private.label_screen;
INSERT INTO private.screens (id, name) VALUES (1, 'banana'), (2, 'helicopter'), (3, 'formula 1 banana');
INSERT INTO private.labels (id, name) VALUES (1, 'vehicles'), (2, 'fruit');
INSERT INTO private.label_screen VALUES (1, 2), (1, 3), (2, 1), (2, 3);

CREATE TABLE series (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE adaptation_notifications (id bigint PRIMARY KEY, series bigint REFERENCES series (id), status text);
CREATE VIEW series_popularity AS SELECT id, random() AS popularity_score FROM series;

CREATE TABLE schedules (id integer PRIMARY KEY, name text, start_at timetz, end_at timetz);
CREATE TABLE activities (
  id integer,
  schedule_id integer CONSTRAINT schedule REFERENCES schedules (id),
  car_id text,
  camera_id text,
  PRIMARY KEY (id, schedule_id)
);
CREATE TABLE unit_workdays (
  unit_id integer,
  day date,
  fst_shift_activity_id integer,
  fst_shift_schedule_id integer,
  snd_shift_activity_id integer,
  snd_shift_schedule_id integer,
  PRIMARY KEY (unit_id, day),
  CONSTRAINT fst_shift FOREIGN KEY (fst_shift_activity_id, fst_shift_schedule_id) REFERENCES activities (id, schedule_id),
  CONSTRAINT snd_shift FOREIGN KEY (snd_shift_activity_id, snd_shift_schedule_id) REFERENCES activities (id, schedule_id)
);
CREATE VIEW unit_workdays_fst_shift AS
  SELECT unit_id, day, fst_shift_activity_id, fst_shift_schedule_id FROM unit_workdays
  WHERE fst_shift_activity_id IS NOT NULL AND fst_shift_schedule_id IS NOT NULL;
INSERT INTO schedules VALUES
  (1, 'morning', '06:00:00', '11:59:00'), (2, 'afternoon', '12:00:00', '17:59:00'),
  (3, 'night', '18:00:00', '23:59:00'), (4, 'early morning', '00:00:00', '05:59:00');
INSERT INTO activities (id, schedule_id, car_id, camera_id) VALUES (1, 1, 'CAR-349', NULL), (2, 3, NULL, 'CAM-123');
INSERT INTO unit_workdays VALUES (1, '2019-12-02', 1, 1, 2, 3);

-- Tables in public seen only through views in test.
CREATE TABLE public.ta (a1 integer PRIMARY KEY, a2 integer, UNIQUE (a1, a2));
CREATE TABLE public.tb (b1 integer REFERENCES public.ta (a1), b2 integer, FOREIGN KEY (b1, b2) REFERENCES public.ta (a1, a2));
CREATE VIEW va AS SELECT a1 FROM public.ta;
CREATE VIEW vb AS SELECT b1 FROM public.tb;

CREATE TABLE public.i2459_simple_t1 (id integer PRIMARY KEY);
CREATE TABLE public.i2459_simple_t2 (t1_id integer REFERENCES public.i2459_simple_t1);
CREATE VIEW i2459_simple_v1 AS TABLE public.i2459_simple_t1;
CREATE VIEW i2459_simple_v2 AS SELECT t1_id AS t1_id1, t1_id AS t1_id2 FROM public.i2459_simple_t2;
CREATE TABLE public.i2459_composite_t1 (a integer, b integer, PRIMARY KEY (a, b));
CREATE TABLE public.i2459_composite_t2 (
  t1_a integer,
  t1_b integer,
  CONSTRAINT i2459_composite_t2_t1_a_t1_b_fkey FOREIGN KEY (t1_a, t1_b) REFERENCES public.i2459_composite_t1
);
CREATE VIEW i2459_composite_v1 AS TABLE public.i2459_composite_t1;
CREATE VIEW i2459_composite_v2 AS
  SELECT t1_a AS t1_a1, t1_b AS t1_b1, t1_a AS t1_a2, t1_b AS t1_b2 FROM public.i2459_composite_t2;
CREATE TABLE public.i2459_self_t (id integer PRIMARY KEY, parent integer REFERENCES public.i2459_self_t, type text);
CREATE VIEW i2459_self_v1 AS
  SELECT p.parent AS grandparent, c.parent, c.id
  FROM public.i2459_self_t p JOIN public.i2459_self_t c ON c.parent = p.id
  WHERE c.type = 'A';

CREATE TABLE "Escap3e;" ("so6meIdColumn" integer PRIMARY KEY);
CREATE TABLE "ghostBusters" ("escapeId" integer NOT NULL REFERENCES "Escap3e;" ("so6meIdColumn"));
INSERT INTO "Escap3e;" VALUES (1), (2), (3), (4), (5);
INSERT INTO "ghostBusters" VALUES (1), (3), (5);

-- ---------------------------------------------------------------------------
-- functions: return types
-- ---------------------------------------------------------------------------
CREATE TABLE items (id bigserial PRIMARY KEY);
INSERT INTO items SELECT generate_series(1, 15);
SELECT setval('items_id_seq', 15);

CREATE TYPE enum_menagerie_type AS ENUM ('foo', 'bar');
CREATE DOMAIN one_nine AS integer CHECK (VALUE BETWEEN 1 AND 9);
CREATE TYPE point_2d AS (x integer, y integer);
CREATE DOMAIN composite_domain AS point_2d;
CREATE TYPE private.point_3d AS (x integer, y integer, z integer);
CREATE DOMAIN projects_domain AS projects;
-- Media-type domains: a function returning one answers with that type.
CREATE DOMAIN "text/plain" AS text;
CREATE DOMAIN "text/xml" AS pg_catalog.xml;
CREATE DOMAIN "application/octet-stream" AS bytea;

CREATE FUNCTION getitemrange(min bigint, max bigint) RETURNS SETOF items
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.items WHERE id > min AND id <= max $$;
CREATE FUNCTION getallprojects() RETURNS SETOF projects
  LANGUAGE sql ROWS 2019 AS $$ SELECT * FROM test.projects $$;
CREATE FUNCTION getproject(id integer) RETURNS SETOF projects
  LANGUAGE sql AS $$ SELECT * FROM test.projects p WHERE p.id = getproject.id $$;
CREATE FUNCTION getproject_domain(id integer) RETURNS SETOF projects_domain
  LANGUAGE sql STABLE AS $$ SELECT p::test.projects_domain FROM test.projects p WHERE p.id = getproject_domain.id $$;
CREATE FUNCTION getallusers() RETURNS SETOF users LANGUAGE sql STABLE AS $$ SELECT * FROM test.users $$;
CREATE FUNCTION allcapitals() RETURNS SETOF capital LANGUAGE sql STABLE AS $$ SELECT * FROM test.capital $$;
CREATE FUNCTION allcountries() RETURNS SETOF country LANGUAGE sql STABLE AS $$ SELECT * FROM test.country $$;
CREATE FUNCTION single_article(id integer) RETURNS articles
  LANGUAGE sql AS $$ SELECT a.* FROM test.articles a WHERE a.id = single_article.id $$;
CREATE FUNCTION add_them(a integer, b integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + b $$;
CREATE FUNCTION sayhello(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT 'Hello, ' || name $$;
CREATE FUNCTION noparamsproc() RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'Return value of no parameters procedure.'::text $$;
CREATE FUNCTION test_empty_rowset() RETURNS SETOF integer
  LANGUAGE sql IMMUTABLE AS $$ SELECT 1 WHERE false $$;
CREATE FUNCTION ret_enum(val text) RETURNS enum_menagerie_type LANGUAGE sql AS $$ SELECT val::test.enum_menagerie_type $$;
CREATE FUNCTION ret_array() RETURNS integer[] LANGUAGE sql AS $$ SELECT ARRAY[1, 2, 3] $$;
CREATE FUNCTION ret_domain(val integer) RETURNS one_nine LANGUAGE sql AS $$ SELECT val::test.one_nine $$;
CREATE FUNCTION ret_range(low integer, up integer) RETURNS int4range LANGUAGE sql AS $$ SELECT int4range(low, up) $$;
CREATE FUNCTION ret_setof_integers() RETURNS SETOF integer LANGUAGE sql AS $$ VALUES (1), (2), (3) $$;
-- Unnamed parameters: not callable, and must not get in the way of the one above.
CREATE FUNCTION ret_setof_integers(integer, integer) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION ret_scalars() RETURNS TABLE (a text, b enum_menagerie_type, c one_nine, d int4range)
  LANGUAGE sql AS $$ SELECT 'scalars'::text, 'foo'::test.enum_menagerie_type, 1::test.one_nine, int4range(10, 20) $$;
CREATE FUNCTION ret_point_2d() RETURNS point_2d LANGUAGE sql AS $$ SELECT ROW(10, 5)::test.point_2d $$;
CREATE FUNCTION ret_point_overloaded(x integer, y integer) RETURNS point_2d
  LANGUAGE sql AS $$ SELECT ROW(x, y)::test.point_2d $$;
CREATE FUNCTION ret_point_overloaded(x json) RETURNS json LANGUAGE sql AS $$ SELECT x $$;
CREATE FUNCTION ret_composite_domain() RETURNS composite_domain
  LANGUAGE sql AS $$ SELECT ROW(10, 5)::test.composite_domain $$;
CREATE FUNCTION ret_point_3d() RETURNS private.point_3d LANGUAGE sql AS $$ SELECT ROW(7, -3, 4)::private.point_3d $$;
CREATE FUNCTION ret_void() RETURNS void LANGUAGE sql AS '';
CREATE FUNCTION ret_null() RETURNS integer LANGUAGE sql AS $$ SELECT NULL::integer $$;
CREATE FUNCTION returns_record() RETURNS record LANGUAGE sql AS $$ SELECT * FROM test.projects ORDER BY id LIMIT 1 $$;
CREATE FUNCTION returns_record_params(id integer, name text) RETURNS record
  LANGUAGE sql AS $$ SELECT * FROM test.projects p WHERE p.id = $1 AND p.name LIKE $2 $$;
CREATE FUNCTION returns_setof_record() RETURNS SETOF record
  LANGUAGE sql AS $$ SELECT * FROM test.projects ORDER BY id LIMIT 2 $$;
CREATE FUNCTION returns_setof_record_params(id integer, name text) RETURNS SETOF record
  LANGUAGE sql AS $$ SELECT * FROM test.projects p WHERE p.id >= $1 AND p.name LIKE $2 ORDER BY p.id $$;
CREATE FUNCTION test.test() RETURNS TABLE (test text, value integer) LANGUAGE sql AS $$ VALUES ('hello', 1) $$;
CREATE FUNCTION single_out_param(num integer, OUT num_plus_one integer) LANGUAGE sql AS $$ SELECT num + 1 $$;
CREATE FUNCTION single_json_out_param(a integer, b text, OUT my_json json)
  LANGUAGE sql AS $$ SELECT json_build_object('a', a, 'b', b) $$;
CREATE FUNCTION many_out_params(OUT my_json json, OUT num integer, OUT str text)
  LANGUAGE sql AS $$ SELECT '{"a": 1, "b": "two"}'::json, 3, 'four'::text $$;
CREATE FUNCTION single_inout_param(INOUT num integer) LANGUAGE sql AS $$ SELECT num + 1 $$;
CREATE FUNCTION many_inout_params(INOUT num integer, INOUT str text, INOUT b boolean DEFAULT true)
  LANGUAGE sql AS $$ SELECT num, str, b $$;
CREATE FUNCTION single_column_table_return() RETURNS TABLE (a text) LANGUAGE sql AS $$ SELECT 'A'::text $$;
CREATE FUNCTION multi_column_table_return() RETURNS TABLE (a text, b text) LANGUAGE sql AS $$ SELECT 'A'::text, 'B'::text $$;
CREATE FUNCTION "quotedFunction"("user" text, "fullName" text, "SSN" text) RETURNS jsonb
  LANGUAGE sql AS $$ SELECT jsonb_build_object('user', "user", 'fullName', "fullName", 'SSN', "SSN") $$;
CREATE FUNCTION problem() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE 'bad thing'; END $$;
CREATE FUNCTION raise_pt402() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE SQLSTATE 'PT402' USING MESSAGE = 'Payment Required', DETAIL = 'Quota exceeded', HINT = 'Upgrade your plan';
END $$;
CREATE FUNCTION raise_bad_pt() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE SQLSTATE 'PT40A' USING MESSAGE = 'Wrong'; END $$;

-- ---------------------------------------------------------------------------
-- functions: arguments
-- ---------------------------------------------------------------------------
CREATE FUNCTION varied_arguments(
  double double precision, "varchar" varchar, "boolean" boolean, date date, money money,
  enum enum_menagerie_type, arr text[], "integer" integer DEFAULT 42, "json" json DEFAULT '{}', jsonb jsonb DEFAULT '{}'
) RETURNS json LANGUAGE sql IMMUTABLE AS $$
  SELECT json_build_object('double', double, 'varchar', "varchar", 'boolean', "boolean", 'date', date,
    'money', money, 'enum', enum, 'arr', arr, 'integer', "integer", 'json', "json", 'jsonb', jsonb)
$$;
CREATE FUNCTION json_argument(arg json) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT json_typeof(arg) $$;
CREATE FUNCTION variadic_param(VARIADIC v text[] DEFAULT '{}') RETURNS text[] LANGUAGE sql IMMUTABLE AS $$ SELECT v $$;
CREATE FUNCTION sayhello_variadic(name text, VARIADIC v text[]) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT 'Hello, ' || name $$;
CREATE FUNCTION three_defaults(a integer DEFAULT 1, b integer DEFAULT 2, c integer DEFAULT 3) RETURNS integer
  LANGUAGE sql AS $$ SELECT a + b + c $$;

CREATE FUNCTION overloaded() RETURNS SETOF integer LANGUAGE sql AS $$ VALUES (1), (2), (3) $$;
CREATE FUNCTION overloaded(json) RETURNS TABLE (x integer, y text)
  LANGUAGE sql AS $$ SELECT * FROM json_to_recordset($1) AS r(x integer, y text) $$;
CREATE FUNCTION overloaded(a integer, b integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + b $$;
CREATE FUNCTION overloaded(a text, b text, c text) RETURNS text LANGUAGE sql AS $$ SELECT a || b || c $$;
CREATE FUNCTION overloaded_html_form() RETURNS SETOF integer LANGUAGE sql AS $$ VALUES (1), (2), (3) $$;
CREATE FUNCTION overloaded_html_form(single_param json) RETURNS json LANGUAGE sql AS $$ SELECT single_param $$;
CREATE FUNCTION overloaded_html_form(a integer, b integer) RETURNS integer LANGUAGE sql AS $$ SELECT a + b $$;
CREATE FUNCTION overloaded_html_form(a text, b text, c text) RETURNS text LANGUAGE sql AS $$ SELECT a || b || c $$;
CREATE FUNCTION overloaded_default(opt_param text DEFAULT 'Code w7') RETURNS SETOF tasks
  LANGUAGE sql AS $$ SELECT * FROM test.tasks WHERE name LIKE opt_param $$;
CREATE FUNCTION overloaded_default(must_param integer) RETURNS jsonb
  LANGUAGE sql AS $$ SELECT jsonb_build_object('val', must_param) $$;
CREATE FUNCTION overloaded_default(a integer, opt_param text DEFAULT 'Design IOS') RETURNS SETOF tasks
  LANGUAGE sql AS $$ SELECT * FROM test.tasks WHERE name LIKE opt_param AND id > a $$;
CREATE FUNCTION overloaded_default(a integer, must_param integer) RETURNS jsonb
  LANGUAGE sql AS $$ SELECT jsonb_build_object('a', a, 'val', must_param) $$;
CREATE FUNCTION overloaded_same_args(arg integer) RETURNS json
  LANGUAGE sql AS $$ SELECT json_build_object('type', pg_typeof(arg), 'value', arg) $$;
CREATE FUNCTION overloaded_same_args(arg xml) RETURNS json
  LANGUAGE sql AS $$ SELECT json_build_object('type', pg_typeof(arg), 'value', arg) $$;
CREATE FUNCTION overloaded_same_args(arg text, num integer DEFAULT 0) RETURNS json
  LANGUAGE sql AS $$ SELECT json_build_object('type', pg_typeof(arg), 'value', arg) $$;

-- A single unnamed parameter takes the whole body.
CREATE FUNCTION unnamed_json_param(json) RETURNS json LANGUAGE sql AS $$ SELECT $1 $$;
CREATE FUNCTION named_json_param(data json) RETURNS json LANGUAGE sql AS $$ SELECT data $$;
CREATE FUNCTION unnamed_text_param(text) RETURNS "text/plain" LANGUAGE sql AS $$ SELECT $1::test."text/plain" $$;
CREATE FUNCTION unnamed_xml_param(pg_catalog.xml) RETURNS "text/xml" LANGUAGE sql AS $$ SELECT $1::test."text/xml" $$;
CREATE FUNCTION unnamed_bytea_param(bytea) RETURNS "application/octet-stream"
  LANGUAGE sql AS $$ SELECT $1::test."application/octet-stream" $$;
CREATE FUNCTION unnamed_int_param(integer) RETURNS integer LANGUAGE sql AS $$ SELECT $1 $$;
CREATE FUNCTION overloaded_unnamed_param(json) RETURNS json LANGUAGE sql AS $$ SELECT $1 $$;
CREATE FUNCTION overloaded_unnamed_param(bytea) RETURNS "application/octet-stream"
  LANGUAGE sql AS $$ SELECT $1::test."application/octet-stream" $$;
CREATE FUNCTION overloaded_unnamed_param(text) RETURNS "text/plain" LANGUAGE sql AS $$ SELECT $1::test."text/plain" $$;
CREATE FUNCTION overloaded_unnamed_param() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION overloaded_unnamed_param(x integer, y integer) RETURNS integer LANGUAGE sql AS $$ SELECT x + y $$;
CREATE FUNCTION overloaded_unnamed_json_jsonb_param(json) RETURNS json LANGUAGE sql AS $$ SELECT $1 $$;
CREATE FUNCTION overloaded_unnamed_json_jsonb_param(jsonb) RETURNS jsonb LANGUAGE sql AS $$ SELECT $1 $$;
CREATE FUNCTION overloaded_unnamed_json_jsonb_param(x integer, y integer) RETURNS integer LANGUAGE sql AS $$ SELECT x + y $$;

-- Functions that "delete" 15 rows: they delete from a private copy and put
-- the rows back in the same statement, so every run sees 15 rows.
CREATE TABLE private.max_affected_items (id bigint);
INSERT INTO private.max_affected_items SELECT generate_series(1, 15);
CREATE FUNCTION delete_items_returns_setof() RETURNS SETOF items LANGUAGE sql AS $$
  WITH d AS (DELETE FROM private.max_affected_items RETURNING id),
       i AS (INSERT INTO private.max_affected_items SELECT id FROM d)
  SELECT id FROM d ORDER BY id
$$ SECURITY DEFINER;
CREATE FUNCTION delete_items_returns_table() RETURNS TABLE (id bigint) LANGUAGE sql AS $$
  WITH d AS (DELETE FROM private.max_affected_items RETURNING id),
       i AS (INSERT INTO private.max_affected_items SELECT id FROM d)
  SELECT d.id FROM d ORDER BY d.id
$$ SECURITY DEFINER;
CREATE FUNCTION delete_items_returns_void() RETURNS void LANGUAGE sql AS $$
  WITH d AS (DELETE FROM private.max_affected_items RETURNING id)
  INSERT INTO private.max_affected_items SELECT id FROM d
$$ SECURITY DEFINER;

-- ---------------------------------------------------------------------------
-- related orders and null filters on embeds; planned counts
-- ---------------------------------------------------------------------------
CREATE TABLE trash (id integer PRIMARY KEY);
CREATE TABLE trash_details (id integer PRIMARY KEY REFERENCES trash (id), jsonb_col jsonb);
INSERT INTO trash VALUES (1), (2), (3);
INSERT INTO trash_details VALUES (1, '{"key": 10}'), (2, '{"key": 6}'), (3, '{"key": 8}');

CREATE TABLE table_a (id integer PRIMARY KEY, name text);
CREATE TABLE table_b (table_a_id integer REFERENCES table_a (id), name text);
INSERT INTO table_a VALUES (1, 'Not null 1'), (2, NULL), (3, 'Not null 2');
INSERT INTO table_b VALUES (1, 'Test 1'), (2, 'Test 2'), (NULL, 'Test 3');

CREATE TABLE status (id bigint PRIMARY KEY);
CREATE TABLE tournaments (id bigint PRIMARY KEY, status bigint REFERENCES status (id));

CREATE VIEW getallprojects_view AS SELECT * FROM getallprojects();

-- ---------------------------------------------------------------------------
-- computed fields (functions of a table's row type)
-- ---------------------------------------------------------------------------
CREATE TABLE items2 (id bigserial PRIMARY KEY);
INSERT INTO items2 SELECT generate_series(1, 15);
CREATE FUNCTION search(id bigint) RETURNS SETOF items LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN QUERY SELECT i.id FROM test.items i WHERE i.id = search.id; END $$;
CREATE FUNCTION search2(id bigint) RETURNS SETOF items2 LANGUAGE plpgsql STABLE AS $$
BEGIN RETURN QUERY SELECT i.id FROM test.items2 i WHERE i.id = search2.id; END $$;
CREATE FUNCTION always_true(test.items) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;
CREATE FUNCTION computed_overload(test.items) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;
CREATE FUNCTION computed_overload(test.items2) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT true $$;
CREATE FUNCTION anti_id(test.items) RETURNS bigint LANGUAGE sql IMMUTABLE AS $$ SELECT -$1.id $$;
-- Outside the exposed schema: not a computed field of test.items.
CREATE FUNCTION public.always_false(test.items) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT false $$;

-- ---------------------------------------------------------------------------
-- computed relationships (functions from a row type to a table type)
-- ---------------------------------------------------------------------------
CREATE TABLE designers (id integer PRIMARY KEY, name text);
CREATE TABLE videogames (id integer PRIMARY KEY, name text, designer_id integer REFERENCES designers (id));
INSERT INTO designers VALUES (1, 'Sid Meier'), (2, 'Hironobu Sakaguchi');
INSERT INTO videogames VALUES
  (1, 'Civilization I', 1), (2, 'Civilization II', 1), (3, 'Final Fantasy I', 2), (4, 'Final Fantasy II', 2);
CREATE FUNCTION computed_designers(test.videogames) RETURNS SETOF test.designers
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.designers d WHERE d.id = $1.designer_id $$;
CREATE FUNCTION computed_designers_noset(test.videogames) RETURNS test.designers
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.designers d WHERE d.id = $1.designer_id $$;
CREATE FUNCTION computed_videogames(test.designers) RETURNS SETOF test.videogames
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.videogames v WHERE v.designer_id = $1.id $$;
CREATE FUNCTION getallvideogames() RETURNS SETOF videogames LANGUAGE sql STABLE AS $$ SELECT * FROM test.videogames $$;
CREATE FUNCTION getalldesigners() RETURNS SETOF designers LANGUAGE sql STABLE AS $$ SELECT * FROM test.designers $$;
-- Functions named like the tables override the foreign-key relationships.
CREATE FUNCTION designers(test.videogames) RETURNS SETOF test.designers
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.designers WHERE false $$;
CREATE FUNCTION videogames(test.designers) RETURNS SETOF test.videogames
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.videogames WHERE false $$;

CREATE TABLE web_content (id integer PRIMARY KEY, name text, p_web_id integer REFERENCES web_content (id));
INSERT INTO web_content VALUES (5, 'wat', NULL), (0, 'tardis', 5), (1, 'fezz', 0), (2, 'foo', 0), (3, 'bar', 0), (4, 'wut', 1);
CREATE FUNCTION child_web_content(test.web_content) RETURNS SETOF test.web_content
  LANGUAGE sql STABLE AS $$ SELECT * FROM test.web_content w WHERE w.p_web_id = $1.id $$;
CREATE FUNCTION parent_web_content(test.web_content) RETURNS SETOF test.web_content
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.web_content w WHERE w.id = $1.p_web_id $$;

CREATE TABLE second_1 (id integer PRIMARY KEY, name text);
CREATE TABLE first_1 (
  id integer PRIMARY KEY,
  name text,
  second_id_1 integer UNIQUE REFERENCES second (id),
  second_id_2 integer UNIQUE REFERENCES second (id)
);
CREATE FUNCTION second_1(test.first_1) RETURNS SETOF test.second_1
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.second_1 s WHERE s.id = $1.second_id_1 $$;
CREATE FUNCTION first_1(test.second_1) RETURNS SETOF test.first_1
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.first_1 f WHERE f.second_id_1 = $1.id $$;

CREATE FUNCTION computed_clients(test.projects) RETURNS SETOF test.clients
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.clients c WHERE c.id = $1.client_id $$;
CREATE FUNCTION computed_projects(test.clients) RETURNS SETOF test.projects
  LANGUAGE sql STABLE ROWS 1 AS $$ SELECT * FROM test.projects p WHERE p.client_id = $1.id $$;
CREATE FUNCTION computed_rel_overload(test.items) RETURNS SETOF test.items2
  LANGUAGE sql AS $$ SELECT * FROM test.items2 ORDER BY id LIMIT 1 $$;
CREATE FUNCTION computed_rel_overload(test.items2) RETURNS SETOF test.items2
  LANGUAGE sql AS $$ SELECT * FROM test.items2 ORDER BY id LIMIT 2 $$;

-- ---------------------------------------------------------------------------
-- spread embeds
-- ---------------------------------------------------------------------------
CREATE TABLE factories (id integer PRIMARY KEY, name text);
CREATE TABLE process_categories (id integer PRIMARY KEY, name text);
CREATE TABLE processes (
  id integer PRIMARY KEY,
  name text,
  factory_id integer REFERENCES factories (id),
  category_id integer REFERENCES process_categories (id)
);
CREATE TABLE process_costs (process_id integer PRIMARY KEY REFERENCES processes (id), cost numeric);
CREATE TABLE supervisors (id integer PRIMARY KEY, name text);
CREATE TABLE process_supervisor (
  process_id integer REFERENCES processes (id),
  supervisor_id integer REFERENCES supervisors (id),
  PRIMARY KEY (process_id, supervisor_id)
);
INSERT INTO factories VALUES (1, 'Factory A'), (2, 'Factory B'), (3, 'Factory C'), (4, 'Factory D');
INSERT INTO process_categories VALUES (1, 'Batch'), (2, 'Mass');
INSERT INTO processes VALUES
  (1, 'Process A1', 1, 1), (2, 'Process A2', 1, 2), (3, 'Process B1', 2, 1), (4, 'Process B2', 2, 1),
  (5, 'Process C1', 3, 2), (6, 'Process C2', 3, 2), (7, 'Process XX', 3, 2), (8, 'Process YY', 3, 2);
INSERT INTO process_costs VALUES (1, 150.00), (2, 200.00), (3, 180.00), (4, 70.00), (5, 40.00), (6, 70.00), (8, 40.00);
INSERT INTO supervisors VALUES (1, 'Mary'), (2, 'John'), (3, 'Peter'), (4, 'Sarah'), (5, 'Jane');
INSERT INTO process_supervisor VALUES (1, 1), (2, 2), (3, 3), (3, 4), (4, 1), (4, 2), (5, 3), (6, 3);

-- ---------------------------------------------------------------------------
-- Prefer: missing=default
-- ---------------------------------------------------------------------------
CREATE TABLE complex_items (
  id bigint NOT NULL,
  name text,
  settings json,
  arr_data integer[],
  "field-with_sep" integer NOT NULL DEFAULT 1
);
CREATE VIEW complex_items_view AS SELECT * FROM complex_items;
ALTER VIEW complex_items_view ALTER COLUMN name SET DEFAULT 'Default';
INSERT INTO complex_items VALUES
  (1, 'One', '{"foo":{"int":1,"bar":"baz"}}', '{1}', 1),
  (2, 'Two', '{"foo":{"int":1,"bar":"baz"}}', '{1,2}', 1),
  (3, 'Three', '{"foo":{"int":1,"bar":"baz"}}', '{1,2,3}', 3);
CREATE TABLE tbl_w_json (id integer, data json);
CREATE TABLE channels (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  data jsonb DEFAULT '{"foo": "bar"}',
  slug text
);
CREATE TABLE foo (
  a text,
  b text GENERATED ALWAYS AS (CASE a WHEN 'telegram' THEN 'im' WHEN 'proton' THEN 'email' ELSE 'bad idea' END) STORED
);
CREATE DOMAIN devil_int AS integer DEFAULT 666;
CREATE TABLE evil_friends (id devil_int, name text);
CREATE TABLE evil_friends_with_column_default (id devil_int DEFAULT 420, name text);

-- ---------------------------------------------------------------------------
-- several exposed schemas: v1, v2 and one with special characters
-- ---------------------------------------------------------------------------
CREATE TABLE v1.parents (id integer PRIMARY KEY, name text);
CREATE TABLE v1.children (id integer PRIMARY KEY, name text, parent_id integer CONSTRAINT parent REFERENCES v1.parents (id));
CREATE FUNCTION v1.get_parents_below(id integer) RETURNS SETOF v1.parents
  LANGUAGE sql AS $$ SELECT * FROM v1.parents p WHERE p.id < get_parents_below.id $$;
CREATE TABLE v2.parents (id integer PRIMARY KEY, name text);
CREATE TABLE v2.children (id integer PRIMARY KEY, name text, parent_id integer CONSTRAINT parent REFERENCES v2.parents (id));
CREATE TABLE v2.another_table (id integer PRIMARY KEY, another_value text);
CREATE FUNCTION v2.get_parents_below(id integer) RETURNS SETOF v2.parents
  LANGUAGE sql AS $$ SELECT * FROM v2.parents p WHERE p.id < get_parents_below.id $$;
CREATE FUNCTION v2.get_plain_text() RETURNS test."text/plain" LANGUAGE sql AS $$ SELECT 'plain'::test."text/plain" $$;
INSERT INTO v1.parents VALUES (1, 'parent v1-1'), (2, 'parent v1-2');
INSERT INTO v1.children VALUES (1, 'child v1-1', 1), (2, 'child v1-2', 2);
INSERT INTO v2.parents VALUES (3, 'parent v2-3'), (4, 'parent v2-4');
INSERT INTO v2.children VALUES (1, 'child v2-3', 3);
INSERT INTO v2.another_table VALUES (5, 'value 5'), (6, 'value 6');

CREATE SCHEMA "SPECIAL ""@/\#~_-";
CREATE TABLE "SPECIAL ""@/\#~_-".languages (id integer PRIMARY KEY, name text);
CREATE TABLE "SPECIAL ""@/\#~_-".names (id integer PRIMARY KEY, name text, language_id integer REFERENCES "SPECIAL ""@/\#~_-".languages (id));
CREATE FUNCTION "SPECIAL ""@/\#~_-".computed_languages("SPECIAL ""@/\#~_-".names) RETURNS SETOF "SPECIAL ""@/\#~_-".languages
  ROWS 1 LANGUAGE sql AS $$ SELECT * FROM "SPECIAL ""@/\#~_-".languages l WHERE l.id = $1.language_id $$;
INSERT INTO "SPECIAL ""@/\#~_-".languages VALUES (1, 'English'), (2, 'Spanish');
INSERT INTO "SPECIAL ""@/\#~_-".names VALUES (1, 'John', 1), (2, 'Mary', 1), (3, 'José', 2);
GRANT USAGE ON SCHEMA "SPECIAL ""@/\#~_-" TO anon, authenticated;
GRANT ALL ON ALL TABLES IN SCHEMA "SPECIAL ""@/\#~_-" TO anon, authenticated;

-- ---------------------------------------------------------------------------
-- aggregates
-- ---------------------------------------------------------------------------
CREATE TABLE project_invoices (id integer PRIMARY KEY, invoice_total numeric, project_id integer REFERENCES projects (id));
INSERT INTO project_invoices VALUES
  (1, 100, 1), (2, 200, 1), (3, 500, 2), (4, 700, 2), (5, 1200, 3), (6, 2000, 3), (7, 100, 4), (8, 4000, 4);

-- ---------------------------------------------------------------------------
-- partitioned tables: relationships of the parent tables, never of partitions
-- ---------------------------------------------------------------------------
CREATE TABLE car_brands (name varchar(64) PRIMARY KEY);
CREATE TABLE car_models (
  name varchar(64) NOT NULL,
  year integer NOT NULL,
  car_brand_name varchar(64) REFERENCES car_brands (name),
  PRIMARY KEY (name, year)
) PARTITION BY LIST (year);
CREATE TABLE car_models_2021 PARTITION OF car_models FOR VALUES IN (2021);
CREATE TABLE car_models_default PARTITION OF car_models FOR VALUES IN (1981, 1997, 2001, 2013);
CREATE TABLE car_model_sales (
  date varchar(64) NOT NULL,
  quantity integer NOT NULL,
  car_model_name varchar(64),
  car_model_year integer,
  PRIMARY KEY (date, car_model_name, car_model_year),
  FOREIGN KEY (car_model_name, car_model_year) REFERENCES car_models (name, year)
) PARTITION BY RANGE (date);
CREATE TABLE car_model_sales_202101 PARTITION OF car_model_sales FOR VALUES FROM ('2021-01-01') TO ('2021-01-31');
CREATE TABLE car_model_sales_default PARTITION OF car_model_sales DEFAULT;
CREATE TABLE car_racers (
  name varchar(64) PRIMARY KEY,
  car_model_name varchar(64),
  car_model_year integer,
  FOREIGN KEY (car_model_name, car_model_year) REFERENCES car_models (name, year)
);
CREATE TABLE car_dealers (name varchar(64) NOT NULL, city varchar(64) NOT NULL, PRIMARY KEY (name, city)) PARTITION BY LIST (city);
CREATE TABLE car_dealers_springfield PARTITION OF car_dealers FOR VALUES IN ('Springfield');
CREATE TABLE car_dealers_default PARTITION OF car_dealers DEFAULT;
CREATE TABLE car_models_car_dealers (
  car_model_name varchar(64) NOT NULL,
  car_model_year integer NOT NULL,
  car_dealer_name varchar(64) NOT NULL,
  car_dealer_city varchar(64) NOT NULL,
  quantity integer NOT NULL,
  FOREIGN KEY (car_model_name, car_model_year) REFERENCES car_models (name, year),
  FOREIGN KEY (car_dealer_name, car_dealer_city) REFERENCES car_dealers (name, city),
  PRIMARY KEY (car_model_name, car_model_year, car_dealer_name, car_dealer_city, quantity)
) PARTITION BY RANGE (quantity);
CREATE TABLE car_models_car_dealers_10to20 PARTITION OF car_models_car_dealers FOR VALUES FROM (10) TO (20);
CREATE TABLE car_models_car_dealers_default PARTITION OF car_models_car_dealers DEFAULT;
INSERT INTO car_brands VALUES ('DMC'), ('Ferrari'), ('Lamborghini');
INSERT INTO car_models VALUES ('DeLorean', 1981, 'DMC'), ('F310-B', 1997, 'Ferrari'), ('Veneno', 2013, 'Lamborghini'), ('Murcielago', 2001, 'Lamborghini');
INSERT INTO car_model_sales VALUES
  ('2021-01-14', 7, 'DeLorean', 1981), ('2021-01-15', 9, 'DeLorean', 1981),
  ('2021-02-11', 1, 'Murcielago', 2001), ('2021-02-12', 3, 'Murcielago', 2001);
INSERT INTO car_racers VALUES ('Alain Prost', NULL, NULL), ('Michael Schumacher', 'F310-B', 1997);
INSERT INTO car_dealers VALUES ('Springfield Cars S.A.', 'Springfield'), ('The Best Deals S.A.', 'Franklin');
INSERT INTO car_models_car_dealers VALUES
  ('DeLorean', 1981, 'Springfield Cars S.A.', 'Springfield', 15), ('Murcielago', 2001, 'The Best Deals S.A.', 'Franklin', 2);

-- ---------------------------------------------------------------------------
-- functions: request settings, GET restrictions
-- ---------------------------------------------------------------------------
CREATE FUNCTION get_guc_value(name text) RETURNS text LANGUAGE sql AS $$ SELECT nullif(current_setting(name), '') $$;
CREATE FUNCTION get_guc_value(prefix text, name text) RETURNS text
  LANGUAGE sql AS $$ SELECT nullif(current_setting(prefix)::json ->> name, '') $$;
CREATE SEQUENCE callcounter_count;
GRANT USAGE ON SEQUENCE callcounter_count TO anon, authenticated;
CREATE FUNCTION callcounter() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('test.callcounter_count') $$;
CREATE FUNCTION setprojects(id_l integer, id_h integer, name text) RETURNS SETOF projects
  LANGUAGE sql AS $$ UPDATE test.projects p SET name = setprojects.name WHERE p.id BETWEEN id_l AND id_h RETURNING p.* $$;
CREATE FUNCTION get_projects_below(id integer) RETURNS SETOF projects
  LANGUAGE sql AS $$ SELECT * FROM test.projects p WHERE p.id < get_projects_below.id $$;

-- ---------------------------------------------------------------------------
-- more views to embed through
-- ---------------------------------------------------------------------------
CREATE TABLE public.public_consumers (id serial PRIMARY KEY, name text NOT NULL CHECK (name <> ''));
CREATE TABLE public.public_orders (
  id serial PRIMARY KEY,
  consumer integer NOT NULL REFERENCES public.public_consumers (id),
  number integer NOT NULL
);
CREATE VIEW orders_view AS SELECT * FROM public.public_orders;
CREATE VIEW consumers_view AS SELECT * FROM public.public_consumers;
CREATE VIEW consumers_view_view AS SELECT * FROM consumers_view;
CREATE MATERIALIZED VIEW materialized_projects AS SELECT id, name, client_id FROM projects;
GRANT SELECT ON materialized_projects TO anon, authenticated;

CREATE VIEW authors_have_book_in_decade AS
  SELECT id, name,
    CASE WHEN x.id IN (SELECT author_id FROM forties_books) THEN true ELSE false END AS has_book_in_forties,
    CASE WHEN x.id IN (SELECT author_id FROM fifties_books) THEN true ELSE false END AS has_book_in_fifties,
    CASE WHEN x.id IN (SELECT author_id FROM sixties_books) THEN true ELSE false END AS has_book_in_sixties
  FROM private.authors x;
CREATE VIEW authors_have_book_in_decade2 AS
  SELECT id, name,
    coalesce((SELECT true FROM forties_books f WHERE f.author_id = x.id LIMIT 1), false) AS has_book_in_forties,
    coalesce((SELECT true FROM fifties_books f WHERE f.author_id = x.id LIMIT 1), false) AS has_book_in_fifties,
    coalesce((SELECT true FROM sixties_books f WHERE f.author_id = x.id LIMIT 1), false) AS has_book_in_sixties
  FROM private.authors x;
CREATE VIEW authors_w_entities AS
  SELECT id, name,
    (SELECT json_agg(e.id) FROM entities e WHERE e.id NOT IN (SELECT parent_id FROM child_entities)) AS entities
  FROM private.authors;

CREATE TABLE "Foo" (id integer PRIMARY KEY, name text);
CREATE TABLE bar (id integer PRIMARY KEY, name text, "fooId" integer REFERENCES "Foo" (id));
CREATE VIEW foos AS SELECT id, name FROM "Foo";
CREATE VIEW bars AS SELECT id, "fooId", name FROM bar;

CREATE TABLE private.player (
  id integer NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  birth_date date,
  PRIMARY KEY (last_name, id, first_name, birth_date)
);
CREATE TABLE contract (
  tournament text NOT NULL,
  time tsrange NOT NULL,
  purchase_price integer NOT NULL,
  id integer NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  birth_date date,
  FOREIGN KEY (last_name, id, first_name, birth_date) REFERENCES private.player
);
CREATE VIEW player_view AS SELECT * FROM private.player;
CREATE VIEW contract_view AS SELECT * FROM contract;
INSERT INTO private.player SELECT g, 'first_name_' || g, 'last_name_' || g, '2018-10-11' FROM generate_series(1, 12) g;
INSERT INTO contract
  SELECT 'tournament_' || g, tsrange('2020-01-01', NULL), 10 * g, g, 'first_name_' || g, 'last_name_' || g, '2018-10-11'
  FROM generate_series(1, 6) g;

-- Two tables whose composite key columns come in different orders.
CREATE TABLE a (c1 integer, c2 boolean, PRIMARY KEY (c1, c2));
CREATE TABLE b (c2 boolean, c1 integer, FOREIGN KEY (c1, c2) REFERENCES a);
CREATE VIEW test.v1 AS TABLE a;
CREATE VIEW test.v2 AS TABLE b;
