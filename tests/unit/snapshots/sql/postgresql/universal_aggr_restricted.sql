SELECT "term_id", "n" FROM (SELECT "term_id", (count(*)) AS "n" FROM "uni"."enroll" GROUP BY "term_id") AS "$1" WHERE (n > 3)
-- params: []
