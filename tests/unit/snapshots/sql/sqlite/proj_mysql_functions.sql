SELECT "student_id", ((CASE WHEN enroll_year > 2021 THEN 'late' ELSE 'early' END)) AS "later", (CAST(strftime('%Y', enroll_year) AS INTEGER)) AS "since", (date('now')) AS "today" FROM "uni.student"
-- params: []
