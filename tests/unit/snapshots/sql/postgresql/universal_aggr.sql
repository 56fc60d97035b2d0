SELECT "term_id", (count(*)) AS "n" FROM "uni"."enroll" GROUP BY "term_id"
-- params: []
