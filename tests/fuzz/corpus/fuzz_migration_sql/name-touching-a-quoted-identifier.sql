--
CREATE SCHEMA ê""""""""""