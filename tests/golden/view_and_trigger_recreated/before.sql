CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, amount INT);
CREATE TABLE item_log (item_id INT, what TEXT);
CREATE VIEW big_items AS SELECT id, name FROM items WHERE amount > 10;
CREATE TRIGGER items_logged AFTER INSERT ON items BEGIN
  INSERT INTO item_log VALUES (NEW.id, 'added');
END;
