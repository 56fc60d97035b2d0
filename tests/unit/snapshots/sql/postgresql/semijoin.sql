SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni"."student" WHERE "student_id" IN (SELECT "student_id" FROM "uni"."grade" WHERE "grade" = %s)
-- params: ['F']
