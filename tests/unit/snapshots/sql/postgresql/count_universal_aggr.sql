SELECT count(*) FROM (SELECT "term_id" FROM "uni"."enroll" GROUP BY "term_id") AS "$count"
-- params: []
