SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni"."student" WHERE "last_name" = %s
-- params: ["O'Brien 50%"]
