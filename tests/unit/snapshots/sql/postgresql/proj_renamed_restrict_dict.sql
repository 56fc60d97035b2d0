SELECT "student_id", "enroll_year" AS "year" FROM "uni"."student" WHERE "enroll_year" = %s
-- params: [2021]
