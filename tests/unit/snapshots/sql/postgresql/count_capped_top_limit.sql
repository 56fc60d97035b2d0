SELECT count(*) FROM (SELECT "student_id" FROM (SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni"."student" ORDER BY "student_id" LIMIT 5) AS "$1" LIMIT 10001) AS "$count"
-- params: []
