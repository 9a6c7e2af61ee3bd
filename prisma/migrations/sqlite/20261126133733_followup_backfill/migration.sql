-- Marks that 差评 stored before follow-up cases existed need their cases (see openMissingCases), so
-- the server looks for them once instead of at every start.
INSERT INTO "_rp_backfill" ("name") SELECT 'followup' WHERE EXISTS (SELECT 1 FROM "Rating" WHERE "class" = 'bad');
