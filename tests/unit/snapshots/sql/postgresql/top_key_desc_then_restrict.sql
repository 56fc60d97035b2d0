SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM (SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni"."student" ORDER BY "student_id" DESC LIMIT 20) AS "$1" WHERE "dept" = %s
-- params: ['CS']
