SELECT "student_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni"."student" WHERE ("dept" = %s OR (enroll_year = 2019))
-- params: ['CS']
