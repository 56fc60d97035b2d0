SELECT "student_id", ((CASE WHEN enroll_year > 2021 THEN 'late' ELSE 'early' END)) AS "later", (CAST(EXTRACT(YEAR FROM enroll_year) AS INTEGER)) AS "since", (CURRENT_DATE) AS "today" FROM "uni"."student"
-- params: []
