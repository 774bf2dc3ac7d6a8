-- Every alert also in English, for the web app's English pages; alerts written before this
-- migration have none (the app shows the Chinese text then).
-- Never edit this file once released: add a new one.

ALTER TABLE notifications ADD COLUMN title_en TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN body_en TEXT NOT NULL DEFAULT '';
